package io.gyrosentinel.sim;

import io.gyrosentinel.internal.DeviceMessages;
import io.gyrosentinel.ModelSlotInfo;
import io.gyrosentinel.internal.wire.v1.ErrorCode;
import io.gyrosentinel.internal.wire.v1.ModelBegin;
import io.gyrosentinel.internal.wire.v1.ModelChunk;
import io.gyrosentinel.internal.wire.v1.ModelSlot;
import io.gyrosentinel.internal.wire.v1.ModelStatus;
import io.gyrosentinel.model.ModelBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.zip.CRC32;

/**
 * The virtual device's model store, shaped like the firmware's ({@code gs_model_store.c}): two
 * slots, an A/B switch with a remembered previous slot, and one pending transfer that always
 * targets the slot that is not running. Everything a ModelBegin can be checked for (size, signature,
 * the manifest's deployment members, model id, scope, version against the highest accepted one) is
 * checked before a slot is dropped or the metadata changes; the highest accepted version is raised at
 * commit and persisted with the slots. Not thread-safe: the device serialises calls.
 */
final class ModelStore {
    private static final Logger log = LoggerFactory.getLogger(ModelStore.class);
    static final int SLOTS = 2;
    /** ModelSlot.model_id holds 47 bytes on the firmware (nanopb, with its NUL). */
    static final int MAX_MODEL_ID_BYTES = 47;

    /** A request the store refuses, with the protocol's error code. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final ErrorCode code;
        final String field;

        Refused(ErrorCode code, String message, String field) {
            super(message, null, false, false);
            this.code = code;
            this.field = field == null ? "" : field;
        }
    }

    /** A stored model. Immutable. */
    record Slot(String modelId, byte[] payload, byte[] sha256, byte[] manifest, byte[] signature) {
        int size() {
            return payload.length;
        }
    }

    /** A device-side calibration of the model in one slot (kept with the slot, as the firmware does). */
    record Calibration(float[] mean, float[] std, float threshold) {
        Calibration {
            mean = mean.clone();
            std = std.clone();
        }
    }

    private static final class Transfer {
        int slot;
        byte[] data;
        int nextOffset;
        byte[] sha256;
        String modelId;
        byte[] manifest;
        byte[] signature;
        long version;
        boolean downgrade;
    }

    private final int slotSize;
    private final int maxChunk;
    private final PublicKey trustedKey;
    private final String deviceId;
    private final Path dir;
    private final Slot[] slots = new Slot[SLOTS];
    /** At most one kept calibration (the last), for the slot it was made on; dropped with the slot. */
    private int calibrationSlot = -1;
    private Calibration calibration;
    private int active = -1;
    private int previous = -1;
    /** Anti-rollback: the highest manifest "version" ever committed (0..2^32-1). */
    private long highestVersion;
    private Transfer xfer;
    private boolean committed;

    ModelStore(int slotSize, int maxChunk, PublicKey trustedKey, String deviceId, Path dir) {
        this.slotSize = slotSize;
        this.maxChunk = maxChunk;
        this.trustedKey = trustedKey;
        this.deviceId = deviceId;
        this.dir = dir;
        if (dir != null) {
            load();
        }
    }

    int active() {
        return active;
    }

    Slot slot(int i) {
        return slots[i];
    }

    /** Keeps {@code c} for {@code slot} (which holds a model) across restarts of a persistent store. */
    void calibrate(int slot, Calibration c) {
        if (slots[slot] == null) {
            return;
        }
        calibrationSlot = slot;
        calibration = c;
        save();
    }

    /** The calibration kept for {@code slot}, or null. */
    Calibration calibration(int slot) {
        return calibrationSlot == slot && slots[slot] != null ? calibration : null;
    }

    private void drop(int slot) {
        slots[slot] = null;
        if (calibrationSlot == slot) {
            calibrationSlot = -1;
            calibration = null;
        }
    }

    boolean signed() {
        return trustedKey != null;
    }

    /** The highest manifest version this store has committed (0 when none). */
    long highestVersion() {
        return highestVersion;
    }

    // ------------------------------------------------------------------ transfer

    /**
     * Starts or resumes a transfer; returns next_offset. A refused request leaves the slots, the metadata and a
     * pending transfer as they were.
     */
    int begin(ModelBegin req) throws Refused {
        DeployManifest m = checkBegin(req);
        byte[] sha = req.getSha256().toByteArray();
        Transfer x = xfer;
        if (x != null && x.data.length == req.getSize() && Arrays.equals(x.sha256, sha)) {
            // Same model again: keep what arrived, the host continues at next_offset. Take the
            // newest manifest and signature (checked above, and again at commit).
            take(x, req, m);
            return x.nextOffset;
        }
        x = new Transfer();
        x.slot = active == 0 ? 1 : 0; // never overwrite the running model
        x.data = new byte[req.getSize()];
        x.sha256 = sha;
        take(x, req, m);
        // The target slot stops holding a valid model the moment it is erased.
        drop(x.slot);
        if (previous == x.slot) {
            previous = -1;
        }
        xfer = x;
        committed = false;
        save();
        return 0;
    }

    /** Every check a ModelBegin allows, in the firmware's order (gs_model_store.c check_begin). */
    private DeployManifest checkBegin(ModelBegin req) throws Refused {
        int size = req.getSize();
        if (size == 0) {
            throw new Refused(ErrorCode.INVALID_ARGUMENT, DeviceMessages.MODEL_SIZE_ZERO, "model_begin.size");
        }
        if (Integer.toUnsignedLong(size) > slotSize) {
            throw new Refused(ErrorCode.MODEL_TOO_LARGE, DeviceMessages.format(DeviceMessages.MODEL_TOO_LARGE,
                    Integer.toUnsignedLong(size), slotSize), "model_begin.size");
        }
        if (req.getSha256().size() != 32) {
            throw new Refused(ErrorCode.INVALID_ARGUMENT, "sha256 must be 32 bytes", "model_begin.sha256");
        }
        if (trustedKey != null && req.getSignature().isEmpty()) {
            throw new Refused(ErrorCode.MODEL_SIGNATURE_INVALID, DeviceMessages.MODEL_UNSIGNED,
                    "model_begin.signature");
        }
        if (trustedKey != null && !ModelBundle.verify(trustedKey, req.getManifest().toByteArray(),
                req.getSha256().toByteArray(), req.getSignature().toByteArray())) {
            throw new Refused(ErrorCode.MODEL_SIGNATURE_INVALID, DeviceMessages.MODEL_BAD_SIGNATURE, "model_begin.signature");
        }
        DeployManifest m;
        try {
            m = DeployManifest.parse(req.getManifest().toByteArray());
        } catch (DeployManifest.Malformed e) {
            throw new Refused(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e.field);
        }
        String id = req.getModelId();
        if (m.modelId() != null && !id.isEmpty() && !id.equals(m.modelId())) {
            throw new Refused(ErrorCode.INVALID_ARGUMENT, DeviceMessages.format(DeviceMessages.MODEL_ID_MISMATCH, id, m.modelId()),
                    "model_begin.model_id");
        }
        if (m.modelIdBytes() > MAX_MODEL_ID_BYTES) {
            throw new Refused(ErrorCode.INVALID_ARGUMENT, DeviceMessages.format(DeviceMessages.MODEL_ID_TOO_LONG, MAX_MODEL_ID_BYTES),
                    "manifest.modelId");
        }
        if (m.scope() != null && !m.scope().isEmpty() && !m.scope().equals(deviceId)) {
            throw new Refused(ErrorCode.INVALID_ARGUMENT, DeviceMessages.format(DeviceMessages.MODEL_SCOPE, m.scope(), deviceId),
                    "manifest.scope");
        }
        if (!m.downgrade() && m.version() < highestVersion) {
            throw new Refused(ErrorCode.MODEL_VERSION_REJECTED, DeviceMessages.format(DeviceMessages.MODEL_VERSION, m.version(),
                    highestVersion), "manifest.version");
        }
        return m;
    }

    /** The transfer takes the request's manifest, signature and identity (a resume may bring newer ones). */
    private static void take(Transfer x, ModelBegin req, DeployManifest m) {
        x.manifest = req.getManifest().toByteArray();
        x.signature = req.getSignature().toByteArray();
        x.modelId = !req.getModelId().isEmpty() || m.modelId() == null ? req.getModelId() : m.modelId();
        x.version = m.version();
        x.downgrade = m.downgrade();
    }

    void chunk(ModelChunk req) throws Refused {
        Transfer x = xfer;
        if (x == null) {
            throw new Refused(ErrorCode.MODEL_OFFSET_MISMATCH, DeviceMessages.MODEL_NO_TRANSFER, "model_chunk.offset");
        }
        int off = req.getOffset();
        if (off != x.nextOffset) {
            throw new Refused(ErrorCode.MODEL_OFFSET_MISMATCH, DeviceMessages.format(DeviceMessages.CHUNK_OFFSET,
                    Integer.toUnsignedLong(off), x.nextOffset), "model_chunk.offset");
        }
        int n = req.getData().size();
        if (n == 0) {
            throw new Refused(ErrorCode.INVALID_ARGUMENT, DeviceMessages.CHUNK_EMPTY, "model_chunk.data");
        }
        if (n > maxChunk) { // the firmware's decoder refuses such an envelope as MALFORMED before it gets here
            throw new Refused(ErrorCode.INVALID_ARGUMENT, "chunk of " + n + " bytes; this device takes 1.."
                    + maxChunk, "model_chunk.data");
        }
        if ((long) off + n > x.data.length) {
            throw new Refused(ErrorCode.MODEL_TOO_LARGE, DeviceMessages.format(DeviceMessages.CHUNK_PAST_END, (long) off + n,
                    x.data.length), "model_chunk.data");
        }
        CRC32 crc = new CRC32();
        req.getData().asReadOnlyByteBufferList().forEach(crc::update);
        if ((int) crc.getValue() != req.getCrc32()) {
            throw new Refused(ErrorCode.MODEL_CRC_MISMATCH, DeviceMessages.format(DeviceMessages.CHUNK_CRC, Integer.toUnsignedLong(off)),
                    "model_chunk.crc32");
        }
        req.getData().copyTo(x.data, off);
        x.nextOffset += n;
    }

    /**
     * Verifies the pending transfer and writes its slot. Returns the slot written; the caller
     * activates it (loading it first).
     */
    int commit() throws Refused {
        Transfer x = xfer;
        if (x == null) {
            throw new Refused(ErrorCode.MODEL_OFFSET_MISMATCH, DeviceMessages.MODEL_NO_TRANSFER, "");
        }
        if (x.nextOffset != x.data.length) {
            throw new Refused(ErrorCode.MODEL_OFFSET_MISMATCH, DeviceMessages.format(DeviceMessages.COMMIT_INCOMPLETE, x.nextOffset,
                    x.data.length), "model_chunk.offset");
        }
        byte[] digest = sha256(x.data);
        if (!MessageDigest.isEqual(digest, x.sha256)) {
            xfer = null;
            throw new Refused(ErrorCode.MODEL_HASH_MISMATCH, DeviceMessages.HASH_MISMATCH, "model_begin.sha256");
        }
        if (trustedKey != null && !ModelBundle.verify(trustedKey, x.manifest, digest, x.signature)) {
            xfer = null;
            throw new Refused(ErrorCode.MODEL_SIGNATURE_INVALID, x.signature.length == 0
                    ? DeviceMessages.MODEL_UNSIGNED : DeviceMessages.MODEL_BAD_SIGNATURE, "model_begin.signature");
        }
        ModelBundle bundle;
        try {
            bundle = ModelBundle.fromPayload(x.data, x.signature);
        } catch (RuntimeException e) {
            xfer = null;
            throw new Refused(ErrorCode.MODEL_LOAD_FAILED, "payload is not a model bundle", "");
        }
        if (!Arrays.equals(bundle.manifest(), x.manifest)) {
            xfer = null;
            throw new Refused(ErrorCode.INVALID_ARGUMENT, "manifest in ModelBegin differs from the bundle's",
                    "model_begin.manifest");
        }
        String id = x.modelId.isEmpty() ? bundle.modelId() : x.modelId;
        if (!id.equals(bundle.modelId())) {
            xfer = null;
            throw new Refused(ErrorCode.INVALID_ARGUMENT, "model_id '" + id + "' differs from the bundle's '"
                    + bundle.modelId() + "'", "model_begin.model_id");
        }
        slots[x.slot] = new Slot(id, x.data, digest, x.manifest, x.signature);
        // Anti-rollback: raised when a model is accepted; a downgrade bundle resets it to its own version.
        if (x.downgrade || x.version > highestVersion) {
            highestVersion = x.version;
        }
        xfer = null;
        committed = true;
        save();
        return x.slot;
    }

    void abort() {
        xfer = null;
        committed = false;
    }

    // ------------------------------------------------------------------ slots

    /** Checks that {@code slot} can run; the caller loads it, then calls {@link #switchTo}. */
    Slot requireRunnable(int slot, String field) throws Refused {
        if (slot < 0 || slot >= SLOTS) {
            throw new Refused(ErrorCode.INVALID_ARGUMENT, DeviceMessages.ACTIVATE_SLOT, field);
        }
        if (slots[slot] == null || (xfer != null && xfer.slot == slot)) {
            throw new Refused(ErrorCode.NO_MODEL, DeviceMessages.format(DeviceMessages.SLOT_EMPTY, slot), field);
        }
        return slots[slot];
    }

    /** The slot a rollback goes to: the previous one, as the firmware's store (gs_model_store_rollback). */
    int rollbackTarget() throws Refused {
        int t = previous;
        if (t < 0 || slots[t] == null || t == active) {
            throw new Refused(ErrorCode.NO_MODEL, DeviceMessages.ROLLBACK_NONE, "");
        }
        return t;
    }

    void switchTo(int slot) {
        if (active != slot) {
            previous = active;
            active = slot;
            save();
        }
    }

    /** A slot failed to load: it is unusable, forget it (the firmware does the same). */
    void invalidate(int slot) {
        drop(slot);
        if (active == slot) {
            active = previous >= 0 && slots[previous] != null ? previous : -1;
            previous = -1;
        } else if (previous == slot) {
            previous = -1;
        }
        save();
    }

    // ------------------------------------------------------------------ status

    List<ModelSlotInfo> slotInfos() {
        List<ModelSlotInfo> l = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            Slot s = slots[i];
            boolean receiving = xfer != null && xfer.slot == i;
            l.add(s == null || receiving ? new ModelSlotInfo(i, false, false, "", 0, "")
                    : new ModelSlotInfo(i, active == i, true, s.modelId(), s.size(), HexFormat.of().formatHex(s.sha256())));
        }
        return l;
    }

    ModelStatus status() {
        ModelStatus.Builder b = ModelStatus.newBuilder()
                .setTransferState(xfer != null ? ModelStatus.TransferState.RECEIVING
                        : committed ? ModelStatus.TransferState.COMMITTED : ModelStatus.TransferState.IDLE)
                .setNextOffset(xfer != null ? xfer.nextOffset : 0)
                .setActiveSlot(active);
        for (ModelSlotInfo s : slotInfos()) {
            ModelSlot.Builder w = ModelSlot.newBuilder().setSlot(s.slot()).setActive(s.active()).setValid(s.valid());
            if (s.valid()) {
                w.setModelId(s.modelId()).setSize((int) s.size())
                        .setSha256(com.google.protobuf.ByteString.copyFrom(slots[s.slot()].sha256()));
            }
            b.addSlots(w);
        }
        return b.build();
    }

    static byte[] sha256(byte[] data) {
        return ModelBundle.sha256(data);
    }

    // ------------------------------------------------------------------ persistence (optional)

    private void save() {
        if (dir == null) {
            return;
        }
        try {
            Files.createDirectories(dir);
            Properties p = new Properties();
            p.setProperty("active", Integer.toString(active));
            p.setProperty("previous", Integer.toString(previous));
            p.setProperty("highest_version", Long.toString(highestVersion));
            if (calibration != null && calibrationSlot >= 0 && slots[calibrationSlot] != null) {
                p.setProperty("calibration.slot", Integer.toString(calibrationSlot));
                p.setProperty("calibration.mean", floats(calibration.mean()));
                p.setProperty("calibration.std", floats(calibration.std()));
                p.setProperty("calibration.threshold", Float.toString(calibration.threshold()));
            }
            Base64.Encoder b64 = Base64.getEncoder();
            for (int i = 0; i < SLOTS; i++) {
                Slot s = slots[i];
                Path file = dir.resolve("slot-" + i + ".bin");
                if (s == null) {
                    Files.deleteIfExists(file);
                    continue;
                }
                String sha = HexFormat.of().formatHex(s.sha256());
                p.setProperty("slot." + i + ".model_id", s.modelId());
                p.setProperty("slot." + i + ".sha256", sha);
                p.setProperty("slot." + i + ".manifest", b64.encodeToString(s.manifest()));
                p.setProperty("slot." + i + ".signature", b64.encodeToString(s.signature()));
                if (!Files.exists(file) || !HexFormat.of().formatHex(sha256(Files.readAllBytes(file))).equals(sha)) {
                    io.gyrosentinel.io.AtomicFiles.write(file, s.payload());
                }
            }
            io.gyrosentinel.io.AtomicFiles.write(dir.resolve("meta.properties"), false, out -> {
                Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
                p.store(w, "GyroSentinel virtual device model store");
                w.flush();
            });
        } catch (IOException e) {
            // The device keeps running from memory, as firmware does with a worn flash sector.
            log.warn("virtual device model store {}: cannot persist: {}", dir, e.toString());
        }
    }


    private void load() {
        Path meta = dir.resolve("meta.properties");
        if (!Files.exists(meta)) {
            return;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
            p.load(r);
            Base64.Decoder b64 = Base64.getDecoder();
            for (int i = 0; i < SLOTS; i++) {
                String id = p.getProperty("slot." + i + ".model_id");
                Path file = dir.resolve("slot-" + i + ".bin");
                if (id == null || !Files.exists(file)) {
                    continue;
                }
                byte[] data = Files.readAllBytes(file);
                byte[] sha = sha256(data);
                if (!HexFormat.of().formatHex(sha).equals(p.getProperty("slot." + i + ".sha256"))) {
                    log.warn("virtual device model store {}: slot {} is damaged, ignored", dir, i);
                    continue;
                }
                slots[i] = new Slot(id, data, sha, b64.decode(p.getProperty("slot." + i + ".manifest", "")),
                        b64.decode(p.getProperty("slot." + i + ".signature", "")));
            }
            active = parseSlot(p.getProperty("active"));
            previous = parseSlot(p.getProperty("previous"));
            if (active < 0 && p.getProperty("active") != null && Integer.parseInt(p.getProperty("active").trim()) >= 0
                    && previous >= 0) {
                // as the firmware's store at boot: a damaged active slot falls back to the previous model
                log.warn("virtual device model store {}: active slot damaged, falling back to slot {}", dir, previous);
                active = previous;
                previous = -1;
            }
            long hv = Long.parseLong(p.getProperty("highest_version", "0").trim()); // absent: written before it existed
            if (hv < 0 || hv > DeployManifest.MAX_VERSION) {
                throw new IllegalArgumentException("highest_version " + hv + " out of range");
            }
            highestVersion = hv;
            int cs = parseSlot(p.getProperty("calibration.slot"));
            if (cs >= 0 && slots[cs] != null) {
                calibrationSlot = cs;
                calibration = new Calibration(floats(p.getProperty("calibration.mean")),
                        floats(p.getProperty("calibration.std")),
                        Float.parseFloat(p.getProperty("calibration.threshold")));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("virtual device model store {}: unreadable, starting empty: {}", dir, e.toString());
            Arrays.fill(slots, null);
            active = -1;
            previous = -1;
            highestVersion = 0;
            calibrationSlot = -1;
            calibration = null;
        }
    }

    private int parseSlot(String v) {
        int s = v == null ? -1 : Integer.parseInt(v.trim());
        return s >= 0 && s < SLOTS && slots[s] != null ? s : -1;
    }

    private static String floats(float[] v) {
        StringBuilder b = new StringBuilder();
        for (float x : v) {
            b.append(b.length() == 0 ? "" : ",").append(x);
        }
        return b.toString();
    }

    private static float[] floats(String s) {
        String[] parts = s.split(",");
        float[] v = new float[parts.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(parts[i]);
        }
        return v;
    }
}
