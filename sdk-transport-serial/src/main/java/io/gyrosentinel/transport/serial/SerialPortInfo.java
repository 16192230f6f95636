package io.gyrosentinel.transport.serial;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A serial port present on this machine, as listed by {@link SerialPorts#list()}.
 *
 * @param path         the system path to open, e.g. {@code /dev/ttyUSB0} or {@code COM3}
 * @param name         the operating system's short name, e.g. {@code ttyUSB0}
 * @param description  what the driver or USB descriptor says, e.g. {@code CP2102N USB to UART Bridge Controller}
 * @param manufacturer the USB manufacturer string, or empty when unknown
 * @param serialNumber the USB serial number, or empty when unknown
 * @param vendorId     the USB vendor id when known (e.g. 0x303a Espressif, 0x10c4 Silicon Labs)
 * @param productId    the USB product id when known
 */
public record SerialPortInfo(String path, String name, String description, String manufacturer, String serialNumber,
                             OptionalInt vendorId, OptionalInt productId) {

    /**
     * Replaces {@code null} strings by empty ones.
     *
     * @param path         the system path to open, not {@code null}
     * @param name         the short name, or {@code null}
     * @param description  the driver's or USB descriptor's description, or {@code null}
     * @param manufacturer the USB manufacturer, or {@code null}
     * @param serialNumber the USB serial number, or {@code null}
     * @param vendorId     the USB vendor id, or empty; not {@code null}
     * @param productId    the USB product id, or empty; not {@code null}
     * @throws NullPointerException when {@code path}, {@code vendorId} or {@code productId} is {@code null}
     */
    public SerialPortInfo {
        Objects.requireNonNull(path, "path");
        name = Objects.requireNonNullElse(name, "");
        description = Objects.requireNonNullElse(description, "");
        manufacturer = Objects.requireNonNullElse(manufacturer, "");
        serialNumber = Objects.requireNonNullElse(serialNumber, "");
        Objects.requireNonNull(vendorId, "vendorId");
        Objects.requireNonNull(productId, "productId");
    }

    /** {@return the device URI for this port at the default settings, e.g. {@code serial:/dev/ttyUSB0}} */
    public String uri() {
        return "serial:" + path;
    }

    /** {@return {@code vvvv:pppp} in hex as {@code lsusb} prints it, or empty when the ids are unknown} */
    public String usbId() {
        if (vendorId.isEmpty() || productId.isEmpty()) {
            return "";
        }
        return String.format("%04x:%04x", vendorId.getAsInt(), productId.getAsInt());
    }
}
