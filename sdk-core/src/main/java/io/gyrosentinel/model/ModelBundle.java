package io.gyrosentinel.model;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.internal.wire.v1.BundleFile;
import io.gyrosentinel.internal.wire.v1.BundlePart;
import io.gyrosentinel.internal.wire.v1.BundlePayload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A deployable model: the TensorFlow Lite model file(s) and a JSON manifest, optionally signed
 * with ECDSA P-256. The bytes sent to a device (and hashed) are the {@linkplain #payload() payload};
 * the signature covers {@code manifest || SHA-256(payload)}. See docs/model-bundle.md.
 *
 * <pre>{@code
 * ModelBundle b = ModelBundle.of("fan-1", manifestJson, Map.of("model.tflite", tflite))
 *         .sign(SigningKeys.readPrivateKey(Path.of("key.pem")));
 * b.write(Path.of("fan-1.gsb"));
 * }</pre>
 */
public final class ModelBundle {
    /** Conventional file extension. */
    public static final String EXTENSION = ".gsb";
    static final byte[] MAGIC = "GSBNDL\0\1".getBytes(StandardCharsets.ISO_8859_1);
    static final int FORMAT_VERSION = 1;

    private final String modelId;
    private final byte[] manifest;
    private final Map<String, byte[]> parts;
    private final byte[] payload;
    private final byte[] sha256;
    private final byte[] signature;

    private ModelBundle(String modelId, byte[] manifest, Map<String, byte[]> parts, byte[] payload, byte[] signature) {
        this.modelId = modelId;
        this.manifest = manifest;
        this.parts = parts;
        this.payload = payload;
        this.sha256 = sha256(payload);
        this.signature = signature;
    }

    /**
     * An unsigned bundle. Part order is kept.
     *
     * @param modelId      the model's id, 1 .. 47 characters (what a device keeps)
     * @param manifestJson the JSON manifest ({@code modelId}, {@code version}, {@code scope}, ...;
     *                     docs/model-bundle.md), at most 1024 bytes in UTF-8
     * @param parts        the files by name, e.g. {@code model.tflite}; copied; not empty, {@link #ALIGN_PART}
     *                     reserved
     * @return the bundle; {@code .tflite} parts start 16-byte aligned in the payload
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when the id, the manifest's size or the parts are
     *         invalid
     */
    public static ModelBundle of(String modelId, String manifestJson, Map<String, byte[]> parts) {
        if (modelId == null || modelId.isBlank() || modelId.length() > 47) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "model id must be 1..47 characters (a device keeps 47), got '" + modelId + "'");
        }
        if (parts.isEmpty()) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "a bundle needs at least one part");
        }
        byte[] m = manifestJson.getBytes(StandardCharsets.UTF_8);
        if (m.length > 1024) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "manifest is " + m.length
                    + " bytes; the protocol carries at most 1024 (docs/protocol.md)");
        }
        Map<String, byte[]> copy = new LinkedHashMap<>();
        BundlePayload.Builder pb = BundlePayload.newBuilder().setFormatVersion(FORMAT_VERSION).setModelId(modelId)
                .setManifest(ByteString.copyFrom(m));
        for (var e : parts.entrySet()) {
            if (e.getKey().equals(ALIGN_PART)) {
                throw new GyroSentinelException(ErrorCode.BAD_INPUT, "part name " + ALIGN_PART + " is reserved");
            }
            copy.put(e.getKey(), e.getValue().clone());
            BundlePart part = BundlePart.newBuilder().setName(e.getKey()).setData(ByteString.copyFrom(e.getValue())).build();
            if (e.getKey().endsWith(".tflite")) {
                int pad = alignmentPad(pb, part);
                if (pad > 0) {
                    pb.addParts(BundlePart.newBuilder().setName(ALIGN_PART).setData(ByteString.copyFrom(new byte[pad - PAD_OVERHEAD])));
                }
            }
            pb.addParts(part);
        }
        return new ModelBundle(modelId, m, Collections.unmodifiableMap(copy), pb.build().toByteArray(), new byte[0]);
    }

    /**
     * Name of a filler part placed before each {@code .tflite} part so that the model's bytes start
     * at a 16-byte-aligned offset of the payload: a device that stores the payload at an aligned
     * flash address can then run the FlatBuffer in place (TFLite Micro needs 16-byte-aligned
     * buffers). Readers skip it.
     */
    public static final String ALIGN_PART = ".align";
    /** Bytes a filler part costs besides its data: tag + length of the part, name field, data tag + length. */
    private static final int PAD_OVERHEAD = 1 + 1 + (1 + 1 + ALIGN_PART.length()) + 1 + 1;

    /** Total size of the filler part (0 = none) that aligns {@code part}'s data to 16 bytes. */
    private static int alignmentPad(BundlePayload.Builder before, BundlePart part) {
        int start = before.build().getSerializedSize();
        int partLen = part.getSerializedSize();
        int dataOffsetInPart = com.google.protobuf.CodedOutputStream.computeStringSize(1, part.getName())
                + 1 + com.google.protobuf.CodedOutputStream.computeUInt32SizeNoTag(part.getData().size());
        int header = 1 + com.google.protobuf.CodedOutputStream.computeUInt32SizeNoTag(partLen);
        int off = start + header + dataOffsetInPart;
        if (off % 16 == 0) {
            return 0;
        }
        // a filler of 13..28 bytes (one-byte lengths) shifts the part by exactly its size
        int pad = 16 - (off % 16);
        while (pad <= PAD_OVERHEAD) { // at least one data byte: proto3 omits an empty field
            pad += 16;
        }
        return pad;
    }

    /**
     * Offset of a part's data inside the payload (for tests and devices that map the payload).
     *
     * @param name the part's name
     * @return the offset of the part's first data byte in {@link #payload()}, bytes
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when the bundle has no such part
     */
    public int partOffset(String name) {
        try {
            com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(payload);
            int tag;
            while ((tag = in.readTag()) != 0) {
                if (tag >>> 3 != 4) {
                    in.skipField(tag);
                    continue;
                }
                int len = in.readRawVarint32();
                int end = in.getTotalBytesRead() + len;
                String n = null;
                while (in.getTotalBytesRead() < end) {
                    int t = in.readTag();
                    if (t >>> 3 == 1) {
                        n = in.readStringRequireUtf8();
                    } else if (t >>> 3 == 2) {
                        int dl = in.readRawVarint32();
                        int at = in.getTotalBytesRead();
                        if (name.equals(n)) {
                            return at;
                        }
                        in.skipRawBytes(dl);
                    } else {
                        in.skipField(t);
                    }
                }
            }
        } catch (IOException e) {
            // internal invariant: the payload was built by of()/sign() or already parsed by fromPayload()
            throw new IllegalStateException("payload of " + modelId + " is not parseable", e);
        }
        throw new GyroSentinelException(ErrorCode.BAD_INPUT, "bundle " + modelId + " has no part '" + name + "'");
    }

    /**
     * Parses the payload bytes a device received; the signature travels beside the payload, not in it.
     *
     * @param payload   the payload, as {@link #payload()} returns it; copied
     * @param signature the signature, or {@code null} or empty for an unsigned bundle; copied
     * @return the bundle
     * @throws GyroSentinelException {@link ErrorCode#MODEL_LOAD_FAILED} when the bytes are not a bundle payload or
     *         of an unsupported format version
     */
    public static ModelBundle fromPayload(byte[] payload, byte[] signature) {
        BundlePayload p;
        try {
            p = BundlePayload.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new GyroSentinelException(ErrorCode.MODEL_LOAD_FAILED, "model payload is not a bundle: " + e.getMessage(), e);
        }
        if (p.getFormatVersion() != FORMAT_VERSION) {
            throw new GyroSentinelException(ErrorCode.MODEL_LOAD_FAILED, "bundle format version " + p.getFormatVersion()
                    + " is not supported (expected " + FORMAT_VERSION + ")");
        }
        Map<String, byte[]> parts = new LinkedHashMap<>();
        for (BundlePart bp : p.getPartsList()) {
            if (!bp.getName().equals(ALIGN_PART)) {
                parts.put(bp.getName(), bp.getData().toByteArray());
            }
        }
        return new ModelBundle(p.getModelId(), p.getManifest().toByteArray(), Collections.unmodifiableMap(parts),
                payload.clone(), signature == null ? new byte[0] : signature.clone());
    }

    /**
     * Whether {@code path} is a readable file that starts like a bundle file ("GSBNDL", of any format version);
     * nothing else is checked.
     *
     * @param path a file
     * @return {@code true} when it starts with the bundle magic; {@code false} too when it cannot be read
     */
    public static boolean looksLikeBundle(Path path) {
        int name = MAGIC.length - 2; // the magic ends with two version bytes
        try (var in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(name), Arrays.copyOf(MAGIC, name));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads a bundle file (as {@link #write(Path)} writes it).
     *
     * @param path the file, usually ending in {@link #EXTENSION}
     * @return the bundle; its signature is not checked (see {@link #verify(PublicKey)})
     * @throws GyroSentinelException {@link ErrorCode#IO} when the file is missing or unreadable, {@link
     *         ErrorCode#BAD_INPUT} when it is not a bundle or is corrupt
     */
    public static ModelBundle read(Path path) {
        byte[] all;
        try {
            all = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new GyroSentinelException(ErrorCode.IO, "bundle " + path + " does not exist", e);
        } catch (IOException e) {
            throw new GyroSentinelException(ErrorCode.IO, "cannot read bundle " + path + ": " + e.getMessage(), e);
        }
        if (all.length < MAGIC.length || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "bundle " + path
                    + ": not a GyroSentinel model bundle (missing GSBNDL magic)");
        }
        try {
            BundleFile f = BundleFile.parseFrom(Arrays.copyOfRange(all, MAGIC.length, all.length));
            return fromPayload(f.getPayload().toByteArray(), f.getSignature().toByteArray());
        } catch (InvalidProtocolBufferException e) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "bundle " + path + " is corrupt: " + e.getMessage(), e);
        } catch (GyroSentinelException e) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "bundle " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the bundle atomically.
     *
     * @param path the file to write, replaced if it exists
     * @throws GyroSentinelException {@link ErrorCode#IO} when it cannot be written
     */
    public void write(Path path) {
        byte[] body = BundleFile.newBuilder().setPayload(ByteString.copyFrom(payload))
                .setSignature(ByteString.copyFrom(signature)).build().toByteArray();
        try {
            io.gyrosentinel.io.AtomicFiles.write(path, false, out -> {
                out.write(MAGIC);
                out.write(body);
            });
        } catch (IOException e) {
            throw new GyroSentinelException(ErrorCode.IO, "cannot write bundle " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * A signed copy of this bundle.
     *
     * The signature is ECDSA P-256 with SHA-256 over the manifest followed by the payload's SHA-256.
     *
     * @param key an EC P-256 private key (see {@link SigningKeys#readPrivateKey(Path)})
     * @return a new bundle with the same content and the signature; this one stays unchanged
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when the key cannot sign (not an EC key)
     */
    public ModelBundle sign(PrivateKey key) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(key);
            s.update(manifest);
            s.update(sha256);
            return new ModelBundle(modelId, manifest, parts, payload, s.sign());
        } catch (GeneralSecurityException e) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "cannot sign the bundle with this key (an EC P-256 "
                    + "private key is needed): " + e.getMessage(), e);
        }
    }

    /**
     * True when the bundle carries a valid signature by {@code key}.
     *
     * @param key the EC P-256 public key a device would be configured with
     * @return {@code false} for an unsigned bundle, a signature by another key or an unusable key
     */
    public boolean verify(PublicKey key) {
        return verify(key, manifest, sha256, signature);
    }

    /**
     * The device-side check: signature over {@code manifest || sha256}.
     *
     * @param key       the EC P-256 public key
     * @param manifest  the manifest bytes, as sent in {@code ModelBegin}
     * @param sha256    the SHA-256 of the payload, 32 bytes
     * @param signature the signature, or {@code null}
     * @return whether the signature is valid; {@code false} when it is missing or the key is unusable
     */
    public static boolean verify(PublicKey key, byte[] manifest, byte[] sha256, byte[] signature) {
        if (signature == null || signature.length == 0) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(key);
            s.update(manifest);
            s.update(sha256);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * The SHA-256 of some bytes.
     *
     * @param data the bytes
     * @return the 32-byte digest
     */
    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            // internal invariant: every Java SE platform provides SHA-256
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** {@return the model's id (the manifest's {@code modelId})} */
    public String modelId() { return modelId; }
    /** {@return a copy of the manifest, UTF-8 JSON bytes} */
    public byte[] manifest() { return manifest.clone(); }
    /** {@return the manifest as JSON text} */
    public String manifestJson() { return new String(manifest, StandardCharsets.UTF_8); }
    /**
     * Parts by name (read-only map; arrays are copies on the way in, shared on the way out: do not modify).
     *
     * @return the parts, in the order they were added, without the alignment fillers
     */
    public Map<String, byte[]> parts() { return parts; }
    /**
     * The data of one part (shared, do not modify).
     *
     * @param name the part's name, e.g. {@code model.tflite}
     * @return the part's bytes
     * @throws GyroSentinelException {@link ErrorCode#BAD_INPUT} when the bundle has no such part
     */
    public byte[] part(String name) {
        byte[] b = parts.get(name);
        if (b == null) {
            throw new GyroSentinelException(ErrorCode.BAD_INPUT, "bundle " + modelId + " has no part '" + name
                    + "'; parts: " + parts.keySet());
        }
        return b;
    }
    /** {@return a copy of the bytes a device receives (and that are hashed)} */
    public byte[] payload() { return payload.clone(); }
    /** {@return the size of the payload, bytes} */
    public int payloadSize() { return payload.length; }
    /** {@return a copy of the payload's SHA-256, 32 bytes} */
    public byte[] payloadSha256() { return sha256.clone(); }
    /** {@return the payload's SHA-256 as lower-case hex (64 characters)} */
    public String payloadSha256Hex() { return HexFormat.of().formatHex(sha256); }
    /** {@return a copy of the signature (DER-encoded ECDSA), empty when unsigned} */
    public byte[] signature() { return signature.clone(); }
    /** {@return whether the bundle carries a signature (valid or not: see {@link #verify(PublicKey)})} */
    public boolean isSigned() { return signature.length > 0; }
}
