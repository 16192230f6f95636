package io.gyrosentinel.sim;

import io.gyrosentinel.internal.DeviceMessages;

import java.nio.charset.StandardCharsets;

/**
 * The manifest members a device checks at ModelBegin, before anything is erased: {@code modelId},
 * {@code scope}, {@code version} and {@code downgrade} (docs/model-bundle.md). Reads the JSON exactly as the
 * firmware's {@code gs_manifest_parse_deploy} (gs_bundle.c) does, byte for byte and with the same leniency in
 * the members it does not look at, so the VirtualDevice and the C device accept and refuse the same manifests.
 */
record DeployManifest(String modelId, String scope, long version, boolean downgrade) {
    /** Highest {@code "version"}: an unsigned 32-bit integer on the device. */
    static final long MAX_VERSION = 0xFFFF_FFFFL;
    private static final int MAX_DEPTH = 16;

    /** A manifest the device refuses: the protocol's field and message. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        final String field;

        Malformed(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }
    }

    /**
     * Rules: the document is one JSON object (surrounding whitespace allowed, nothing after it); {@code modelId}
     * and {@code scope} strings without escapes; {@code version} an integer 0..4294967295 written with digits
     * only; {@code downgrade} true or false; none of the four twice. Absent: modelId and scope null, version 0,
     * downgrade false.
     */
    static DeployManifest parse(byte[] json) throws Malformed {
        Scanner doc = new Scanner(json, 0);
        doc.ws();
        if (doc.p >= json.length || json[doc.p] != '{' || !doc.skipValue(0) || doc.wsThenAtEnd()) {
            throw new Malformed("model_begin.manifest", DeviceMessages.MANIFEST_NOT_OBJECT);
        }
        int[] v = member(json, "modelId");
        String modelId = null;
        if (v != null && (v[2] > 1 || (modelId = plainString(json, v)) == null)) {
            throw new Malformed("manifest.modelId", DeviceMessages.MANIFEST_MODEL_ID);
        }
        v = member(json, "scope");
        String scope = null;
        if (v != null && (v[2] > 1 || (scope = plainString(json, v)) == null)) {
            throw new Malformed("manifest.scope",
                    DeviceMessages.MANIFEST_SCOPE);
        }
        long version = 0;
        v = member(json, "version");
        if (v != null) {
            int n = v[1] - v[0];
            boolean ok = v[2] == 1 && n >= 1 && n <= 10 && !(n > 1 && json[v[0]] == '0');
            for (int i = v[0]; ok && i < v[1]; i++) {
                ok = json[i] >= '0' && json[i] <= '9';
                version = version * 10 + (json[i] - '0');
            }
            if (!ok || version > MAX_VERSION) {
                throw new Malformed("manifest.version", DeviceMessages.MANIFEST_VERSION);
            }
        }
        boolean downgrade = false;
        v = member(json, "downgrade");
        if (v != null) {
            String literal = new String(json, v[0], v[1] - v[0], StandardCharsets.ISO_8859_1);
            downgrade = literal.equals("true");
            if (v[2] > 1 || !(downgrade || literal.equals("false"))) {
                throw new Malformed("manifest.downgrade", DeviceMessages.MANIFEST_DOWNGRADE);
            }
        }
        return new DeployManifest(modelId, scope, version, downgrade);
    }

    /** Byte length of {@link #modelId} in UTF-8. */
    int modelIdBytes() {
        return modelId == null ? 0 : modelId.getBytes(StandardCharsets.UTF_8).length;
    }

    /** {start, end, count} of the first top-level member {@code key} of the well-formed object, or null. */
    private static int[] member(byte[] json, String key) {
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        Scanner s = new Scanner(json, 0);
        s.ws();
        s.p++; // '{'
        int[] found = null;
        while (true) {
            s.ws();
            if (s.p >= json.length || json[s.p] == '}') {
                return found;
            }
            int keyStart = s.p + 1;
            s.skipString();
            int keyEnd = s.p - 1;
            s.ws();
            s.p++; // ':'
            s.ws();
            int valueStart = s.p;
            s.skipValue(1);
            if (java.util.Arrays.equals(json, keyStart, keyEnd, k, 0, k.length)) {
                if (found == null) {
                    found = new int[] {valueStart, s.p, 1};
                } else {
                    found[2]++;
                }
            }
            s.ws();
            if (s.p < json.length && json[s.p] == ',') {
                s.p++;
            }
        }
    }

    /** The contents of a string value without escapes, or null. */
    private static String plainString(byte[] json, int[] v) {
        int n = v[1] - v[0];
        if (n < 2 || json[v[0]] != '"' || json[v[1] - 1] != '"') {
            return null;
        }
        for (int i = v[0] + 1; i < v[1] - 1; i++) {
            if (json[i] == '\\') {
                return null;
            }
        }
        return new String(json, v[0] + 1, n - 2, StandardCharsets.UTF_8);
    }

    /** The firmware's allocation-free JSON walker (gs_bundle.c ws/skip_string/skip_value), over bytes. */
    private static final class Scanner {
        final byte[] b;
        int p;

        Scanner(byte[] b, int p) {
            this.b = b;
            this.p = p;
        }

        void ws() {
            while (p < b.length && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r')) {
                p++;
            }
        }

        /** True when something other than whitespace follows. */
        boolean wsThenAtEnd() {
            ws();
            return p != b.length;
        }

        boolean skipString() {
            if (p >= b.length || b[p] != '"') {
                return false;
            }
            for (p++; p < b.length; p++) {
                if (b[p] == '\\') {
                    p++;
                } else if (b[p] == '"') {
                    p++;
                    return true;
                }
            }
            return false;
        }

        boolean skipValue(int depth) {
            ws();
            if (p >= b.length || depth > MAX_DEPTH) {
                return false;
            }
            byte ch = b[p];
            if (ch == '"') {
                return skipString();
            }
            if (ch == '{' || ch == '[') {
                byte close = (byte) (ch == '{' ? '}' : ']');
                p++;
                ws();
                if (p < b.length && b[p] == close) {
                    p++;
                    return true;
                }
                while (true) {
                    if (ch == '{') {
                        ws();
                        if (!skipString()) {
                            return false;
                        }
                        ws();
                        if (p >= b.length || b[p++] != ':') {
                            return false;
                        }
                    }
                    if (!skipValue(depth + 1)) {
                        return false;
                    }
                    ws();
                    if (p >= b.length) {
                        return false;
                    }
                    if (b[p] == ',') {
                        p++;
                        continue;
                    }
                    if (b[p] == close) {
                        p++;
                        return true;
                    }
                    return false;
                }
            }
            // number, true, false, null: the firmware takes any run of these bytes (strchr also matches NUL)
            int start = p;
            while (p < b.length && (b[p] == '+' || b[p] == '-' || b[p] == '.' || b[p] == 'e' || b[p] == 'E'
                    || b[p] == 0 || (b[p] >= '0' && b[p] <= '9') || (b[p] >= 'a' && b[p] <= 'z'))) {
                p++;
            }
            return p > start;
        }
    }
}
