package io.gyrosentinel.transport;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Finds the {@link TransportProvider} for a URI scheme. Providers come from
 * {@link ServiceLoader} (add a transport module to the class path) and from
 * {@link #register(TransportProvider)}; registered providers win over discovered ones.
 */
public final class Transports {
    private static final List<TransportProvider> REGISTERED = new CopyOnWriteArrayList<>();

    private Transports() {
    }

    /**
     * Adds a provider at run time (e.g. a custom transport inside an application).
     *
     * The last registered provider of a scheme wins.
     *
     * @param provider the provider
     */
    public static void register(TransportProvider provider) {
        REGISTERED.add(0, provider);
    }

    /**
     * Removes a provider added with {@link #register(TransportProvider)}; discovered providers stay.
     *
     * @param provider the provider to remove
     */
    public static void unregister(TransportProvider provider) {
        REGISTERED.remove(provider);
    }

    /**
     * {@return every installed provider by scheme (sorted, a new map): the registered ones over the discovered ones}
     */
    public static Map<String, TransportProvider> installed() {
        Map<String, TransportProvider> m = new TreeMap<>();
        for (TransportProvider p : ServiceLoader.load(TransportProvider.class, classLoader())) {
            for (String s : p.schemes()) {
                m.putIfAbsent(s, p);
            }
        }
        List<TransportProvider> reg = new ArrayList<>(REGISTERED);
        java.util.Collections.reverse(reg);
        for (TransportProvider p : reg) {
            for (String s : p.schemes()) {
                m.put(s, p);
            }
        }
        return m;
    }

    /**
     * The provider for {@code scheme}; fails listing the installed schemes.
     *
     * @param scheme the URI scheme, lower case
     * @return the provider
     * @throws GyroSentinelException {@link ErrorCode#UNKNOWN_SCHEME} when no provider serves it
     */
    public static TransportProvider forScheme(String scheme) {
        Map<String, TransportProvider> m = installed();
        TransportProvider p = m.get(scheme);
        if (p == null) {
            String hint = !m.containsKey("sim")
                    // sdk-core itself serves sim:, so its service file is gone: a fat jar that kept one module's
                    // META-INF/services file and dropped the others'
                    ? ". sim: is missing too, although sdk-core serves it: the META-INF/services/"
                    + "io.gyrosentinel.transport.TransportProvider files of the modules were not merged (a fat jar: "
                    + "use the Shade plugin's ServicesResourceTransformer, or Gradle shadow's mergeServiceFiles())."
                    : ". Add the module that serves it to the class path (io.gyrosentinel:sdk-transport-serial for "
                    + "serial:, io.gyrosentinel:sdk-transport-mqtt for mqtt:/mqtts:) or register a TransportProvider.";
            throw new GyroSentinelException(ErrorCode.UNKNOWN_SCHEME, "no transport for scheme '" + scheme
                    + "'; installed schemes: " + m.keySet() + hint);
        }
        return p;
    }

    /**
     * Parses {@code uri} and opens an unconnected transport for it.
     *
     * @param uri the device URI, e.g. {@code serial:/dev/ttyUSB0?baud=921600}
     * @return the transport, not yet started
     * @throws GyroSentinelException {@link ErrorCode#BAD_URI} for a malformed URI, {@link ErrorCode#UNKNOWN_SCHEME}
     *         when no provider serves its scheme
     */
    public static Transport open(String uri) {
        Endpoint e = Endpoint.parse(uri);
        return forScheme(e.scheme()).open(e);
    }

    private static ClassLoader classLoader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : Transports.class.getClassLoader();
    }
}
