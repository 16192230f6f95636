package io.gyrosentinel.transport.serial;

import io.gyrosentinel.transport.Endpoint;
import io.gyrosentinel.transport.StreamTransport;
import io.gyrosentinel.transport.Transport;
import io.gyrosentinel.transport.TransportProvider;
import io.gyrosentinel.transport.serial.internal.SerialConnector;

import java.util.Set;

/**
 * The {@code serial:} scheme: a GyroSentinel device on a serial port (USB-serial bridge, native
 * USB CDC, UART), with COBS + CRC-32 framing and automatic reconnect. Found by
 * {@link java.util.ServiceLoader}: having this module on the class path is enough.
 *
 * <p>URI: {@code serial:<path>?baud=921600&dataBits=8&parity=none&stopBits=1&flowControl=none}
 * (see {@link SerialSettings}), plus {@code reconnect=true|false}, {@code backoffMs} (first wait
 * before a reconnect attempt, default 100) and {@code maxBackoffMs} (default 5000).
 * Unknown parameters and bad values fail with {@code BAD_URI}; a port that cannot be opened
 * fails {@link Transport#start} with {@code TRANSPORT} and a message that says what to do.
 */
public final class SerialTransportProvider implements TransportProvider {
    /** Created by {@link java.util.ServiceLoader} (it is listed in {@code META-INF/services}). */
    public SerialTransportProvider() {
    }


    @Override
    public Set<String> schemes() {
        return Set.of("serial");
    }

    @Override
    public String description() {
        return "serial ports: USB-serial, USB CDC, UART (jSerialComm)";
    }

    @Override
    public Transport open(Endpoint endpoint) {
        SerialSettings settings = SerialSettings.fromEndpoint(endpoint);
        return new StreamTransport("serial:" + settings.describe(), new SerialConnector(settings),
                StreamTransport.Options.fromEndpoint(endpoint));
    }
}
