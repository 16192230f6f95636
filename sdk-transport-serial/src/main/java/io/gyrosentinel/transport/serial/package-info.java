/**
 * The {@code serial:} transport: GyroSentinel devices on serial ports (USB-serial bridges such as
 * CP210x/CH34x, the ESP32-S3's native USB CDC, plain UARTs).
 *
 * <p>Add {@code io.gyrosentinel:sdk-transport-serial} to the class path and connect by URI; the
 * provider is found by {@link java.util.ServiceLoader}:
 * <pre>{@code
 * for (SerialPortInfo p : SerialPorts.list()) {
 *     System.out.println(p.path() + "  " + p.usbId() + "  " + p.description());
 * }
 * try (DeviceClient dev = DeviceClient.connect("serial:/dev/ttyUSB0?baud=921600");
 *      GyroStream stream = dev.stream()) {
 *     SampleBlock b = stream.poll(Duration.ofSeconds(1));
 *     ...
 * }
 * }</pre>
 *
 * <p>URI parameters: {@code baud} (default 921600), {@code dataBits} (5..8, default 8),
 * {@code parity} ({@code none|even|odd}), {@code stopBits} ({@code 1|2}), {@code flowControl}
 * ({@code none|rtscts}), {@code reconnect} (default true), {@code backoffMs} (default 100),
 * {@code maxBackoffMs} (default 5000). When the cable is pulled, the link reports
 * {@code LINK_LOST}, retries with exponential backoff, and when the port is back the client
 * re-handshakes and resumes streaming; the samples missed meanwhile are reported as a
 * {@link io.gyrosentinel.Gap} with cause {@code RECONNECT}. Use a stable path such as
 * {@code /dev/serial/by-id/usb-Espressif_...} so the port keeps its name across re-plugs.
 */
package io.gyrosentinel.transport.serial;
