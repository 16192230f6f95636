package io.gyrosentinel.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.time.format.DateTimeParseException;

/** Parses {@code 10s}, {@code 2m}, {@code 1h}, {@code 500ms} or ISO-8601 {@code PT10S}. */
public final class Durations implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String v) {
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (s.startsWith("pt") || s.startsWith("p")) {
                return Duration.parse(v.trim().toUpperCase(java.util.Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            double n = Double.parseDouble(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofMillis(Math.round(n * 1000));
                case 'm' -> Duration.ofMillis(Math.round(n * 60_000));
                case 'h' -> Duration.ofMillis(Math.round(n * 3_600_000));
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new CommandLine.TypeConversionException("'" + v + "' is not a duration; use e.g. 30s, 5m, 1h, 500ms");
        }
    }
}
