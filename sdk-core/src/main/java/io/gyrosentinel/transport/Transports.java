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

    /** Adds a provider at run time (e.g. a custom transport inside an application). */
    public static void register(TransportProvider provider) {
        REGISTERED.add(0, provider);
    }

    public static void unregister(TransportProvider provider) {
        REGISTERED.remove(provider);
    }

    /** Every installed provider by scheme. */
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

    /** The provider for {@code scheme}; fails listing the installed schemes. */
    public static TransportProvider forScheme(String scheme) {
        Map<String, TransportProvider> m = installed();
        TransportProvider p = m.get(scheme);
        if (p == null) {
            throw new GyroSentinelException(ErrorCode.UNKNOWN_SCHEME, "no transport for scheme '" + scheme
                    + "'; installed schemes: " + m.keySet() + ". Add the module that serves it to the class path "
                    + "(io.gyrosentinel:sdk-transport-serial for serial:, io.gyrosentinel:sdk-transport-mqtt for "
                    + "mqtt:/mqtts:) or register a TransportProvider.");
        }
        return p;
    }

    /** Parses {@code uri} and opens an unconnected transport for it. */
    public static Transport open(String uri) {
        Endpoint e = Endpoint.parse(uri);
        return forScheme(e.scheme()).open(e);
    }

    private static ClassLoader classLoader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : Transports.class.getClassLoader();
    }
}
