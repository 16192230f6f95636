/**
 * The transport SPI: how envelopes travel between this process and a device.
 *
 * <p>To add a link, implement {@link io.gyrosentinel.transport.TransportProvider} (one method that
 * opens a {@link io.gyrosentinel.transport.Transport} for a parsed
 * {@link io.gyrosentinel.transport.Endpoint}) and list it in
 * {@code META-INF/services/io.gyrosentinel.transport.TransportProvider}. Byte-stream links
 * reuse {@link io.gyrosentinel.transport.StreamTransport}, which frames, resynchronises and
 * reconnects. See docs/custom-transport.md.
 */
package io.gyrosentinel.transport;
