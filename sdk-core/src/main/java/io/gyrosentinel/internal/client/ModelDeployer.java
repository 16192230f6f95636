package io.gyrosentinel.internal.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.gyrosentinel.Capability;
import io.gyrosentinel.DeviceInfo;
import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.client.DeployOptions;
import io.gyrosentinel.client.DeployResult;
import io.gyrosentinel.internal.wire.WireCodec;
import io.gyrosentinel.internal.wire.v1.Envelope;
import io.gyrosentinel.internal.wire.v1.ModelBegin;
import io.gyrosentinel.internal.wire.v1.ModelChunk;
import io.gyrosentinel.internal.wire.v1.ModelCommit;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.model.ModelStatus;
import io.gyrosentinel.ModelSlotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.zip.CRC32;

/**
 * One deployment: ModelBegin, CRC-checked chunks from the device's {@code next_offset}, then
 * ModelCommit. Runs on its own thread because it waits, between attempts, for the transport to
 * reconnect. The device keeps a pending transfer across links, so every attempt — and every
 * later deployment of the same bundle — resumes where the device stopped.
 */
final class ModelDeployer {
    private static final Logger log = LoggerFactory.getLogger(ModelDeployer.class);
    /** Envelope bytes around a chunk's data (tags, lengths, offset, CRC, header). */
    private static final int CHUNK_OVERHEAD = 32;
    private static final int DEFAULT_CHUNK = 1024;

    private final DefaultDeviceClient client;
    private final ModelBundle bundle;
    private final DeployOptions options;
    private final Executor progressExecutor;
    private volatile boolean cancelled;
    private long offset;
    private int retries;

    ModelDeployer(DefaultDeviceClient client, ModelBundle bundle, DeployOptions options, Executor callbacks) {
        this.client = client;
        this.bundle = bundle;
        this.options = options;
        this.progressExecutor = options.progress() == null ? null : new SerialExecutor(callbacks);
    }

    void cancel() {
        cancelled = true;
    }

    DeployResult run() {
        long t0 = System.nanoTime();
        DeviceInfo di = client.info();
        if (!di.has(Capability.MODEL_TRANSFER)) {
            throw new GyroSentinelException(ErrorCode.UNSUPPORTED, "device " + di.deviceId() + " (firmware "
                    + di.firmwareVersion() + ") does not accept models; update its firmware to one with a model store");
        }
        byte[] payload = bundle.payload();
        int total = payload.length;
        int chunk = chunkSize(di);
        long sent = 0;
        long resumedFrom = -1;
        attempts:
        while (true) {
            long session = client.sessionGeneration();
            try {
                checkCancelled();
                if (retries > 0) {
                    // The commit may have gone through before the link dropped.
                    ModelStatus st = client.modelStatusAsync().join();
                    var done = st.slotWithSha256(bundle.payloadSha256Hex());
                    if (done.isPresent() && st.transferState() != ModelStatus.TransferState.RECEIVING
                            && (!options.activate() || done.get().active())) {
                        progress(total, total);
                        return result(done.get(), st, sent, Math.max(0, resumedFrom), t0);
                    }
                }
                ModelStatus begun = begin();
                offset = begun.transferState() == ModelStatus.TransferState.RECEIVING ? begun.nextOffset() : 0;
                if (offset > total) {
                    throw new GyroSentinelException(ErrorCode.PROTOCOL_VIOLATION, "device reports next_offset "
                            + offset + " for a payload of " + total + " bytes");
                }
                if (resumedFrom < 0) {
                    resumedFrom = offset;
                }
                if (offset > 0) {
                    log.info("deploy {}: device holds {} of {} bytes, resuming", bundle.modelId(), offset, total);
                }
                progress(offset, total);
                CRC32 crc = new CRC32();
                while (offset < total) {
                    checkCancelled();
                    int n = (int) Math.min(chunk, total - offset);
                    crc.reset();
                    crc.update(payload, (int) offset, n);
                    ModelChunk c = ModelChunk.newBuilder().setOffset((int) offset)
                            .setData(UnsafeByteOperations.unsafeWrap(payload, (int) offset, n))
                            .setCrc32((int) crc.getValue()).build();
                    try {
                        Envelope env = client.request(Envelope.newBuilder().setModelChunk(c), "model chunk",
                                client.requestTimeout()).join();
                        if (env.getBodyCase() != Envelope.BodyCase.MODEL_STATUS) {
                            DefaultDeviceClient.expect(env, Envelope.BodyCase.ACK, "model chunk");
                        }
                    } catch (RuntimeException e) {
                        GyroSentinelException g = DefaultDeviceClient.unwrap(e);
                        if ((g.code() == ErrorCode.MODEL_CRC_MISMATCH || g.code() == ErrorCode.MODEL_OFFSET_MISMATCH)
                                && retries < options.maxRetries()) {
                            retries++;
                            log.info("deploy {}: {} at offset {}, retrying", bundle.modelId(), g.code(), offset);
                            // A CRC error resends the chunk; an offset error asks the device where it is.
                            if (g.code() == ErrorCode.MODEL_OFFSET_MISMATCH) {
                                continue attempts;
                            }
                            continue;
                        }
                        throw g;
                    }
                    offset += n;
                    sent += n;
                    progress(offset, total);
                }
                Envelope env = client.request(Envelope.newBuilder().setModelCommit(
                        ModelCommit.newBuilder().setActivate(options.activate())), "model commit",
                        client.slowRequestTimeout()).join();
                ModelStatus st = WireCodec.fromWire(DefaultDeviceClient.expect(env, Envelope.BodyCase.MODEL_STATUS,
                        "model commit").getModelStatus());
                client.updateSlots(st);
                ModelSlotInfo slot = st.slotWithSha256(bundle.payloadSha256Hex()).orElseThrow(() ->
                        new GyroSentinelException(ErrorCode.PROTOCOL_VIOLATION, "device committed model "
                                + bundle.modelId() + " but no slot holds it"));
                return result(slot, st, sent, resumedFrom, t0);
            } catch (RuntimeException e) {
                GyroSentinelException g = DefaultDeviceClient.unwrap(e);
                if (client.isClosed() && (!g.code().isDeviceError() || g.code() == ErrorCode.INTERNAL)) {
                    g = new GyroSentinelException(ErrorCode.CONNECTION_CLOSED, "the client was closed", g);
                }
                if (isLinkFailure(g) && !client.isClosed() && !cancelled && retries < options.maxRetries()) {
                    retries++;
                    log.info("deploy {}: link lost at {} of {} bytes ({}); waiting for it to come back (retry {} of {})",
                            bundle.modelId(), offset, total, g.getMessage(), retries, options.maxRetries());
                    try {
                        client.awaitSession(session, options.reconnectTimeout(), g.code() != ErrorCode.TIMEOUT);
                        continue;
                    } catch (GyroSentinelException waitFailed) {
                        throw explain(waitFailed, total);
                    }
                }
                throw explain(g, total);
            }
        }
    }

    private ModelStatus begin() {
        ModelBegin b = ModelBegin.newBuilder().setSize(bundle.payloadSize())
                .setSha256(ByteString.copyFrom(bundle.payloadSha256()))
                .setManifest(ByteString.copyFrom(bundle.manifest()))
                .setSignature(ByteString.copyFrom(bundle.signature()))
                .setModelId(bundle.modelId()).build();
        Envelope env = client.request(Envelope.newBuilder().setModelBegin(b), "model begin", client.requestTimeout())
                .join();
        return WireCodec.fromWire(DefaultDeviceClient.expect(env, Envelope.BodyCase.MODEL_STATUS, "model begin")
                .getModelStatus());
    }

    private DeployResult result(ModelSlotInfo slot, ModelStatus st, long sent, long resumedFrom, long t0) {
        log.info("deployed {} ({} bytes, {} sent) to {} slot {}{}", bundle.modelId(), bundle.payloadSize(), sent,
                client.info().deviceId(), slot.slot(), slot.active() ? ", active" : "");
        return new DeployResult(bundle.modelId(), bundle.payloadSha256Hex(), slot.slot(), slot.active(), sent,
                resumedFrom, retries, Duration.ofNanos(System.nanoTime() - t0), st);
    }

    private int chunkSize(DeviceInfo di) {
        int max = di.maxChunkSize() > 0 ? di.maxChunkSize() : DEFAULT_CHUNK;
        if (di.maxFrameSize() > CHUNK_OVERHEAD) {
            max = Math.min(max, di.maxFrameSize() - CHUNK_OVERHEAD);
        }
        return options.chunkSize() > 0 ? Math.min(options.chunkSize(), max) : max;
    }

    private void checkCancelled() {
        if (cancelled) {
            throw new GyroSentinelException(ErrorCode.CANCELLED, "deployment cancelled");
        }
    }

    private static boolean isLinkFailure(GyroSentinelException e) {
        return e.code() == ErrorCode.CONNECTION_CLOSED || e.code() == ErrorCode.TRANSPORT
                || e.code() == ErrorCode.TIMEOUT;
    }

    private void progress(long done, long total) {
        if (progressExecutor == null) {
            return;
        }
        progressExecutor.execute(() -> {
            try {
                options.progress().onProgress(done, total);
            } catch (RuntimeException e) {
                log.warn("deploy progress listener failed: {}", e.toString());
            }
        });
    }

    /** The device's complaint plus what to do about it. */
    private GyroSentinelException explain(GyroSentinelException e, int total) {
        String what = "deploying model " + bundle.modelId() + " (" + total + " bytes) to "
                + client.info().deviceId() + " failed: " + e.detail();
        String advice = switch (e.code()) {
            case MODEL_SIGNATURE_INVALID -> bundle.isSigned()
                    ? "the device only accepts bundles signed by its configured key, and this bundle is signed by "
                    + "another; sign it with the matching key: gyrosentinel package --sign-key <private-key.pem>"
                    : "the device only accepts bundles signed by its configured key and this bundle is unsigned; "
                    + "sign it with gyrosentinel package --sign-key <private-key.pem>";
            case MODEL_HASH_MISMATCH -> "the bytes the device stored do not match the bundle's SHA-256 (corrupted "
                    + "on the way or in the device's storage); deploy again, and if it repeats check the link and "
                    + "the device's flash";
            case MODEL_TOO_LARGE -> "the payload is " + total + " bytes, more than a model slot of this device "
                    + "holds; make the model smaller (fewer units, int8 quantisation) and package it again";
            case MODEL_LOAD_FAILED -> "the device could not load the model and kept its previous one (see "
                    + "modelStatus()); check that the model uses only operators the firmware's TensorFlow Lite Micro "
                    + "build registers, fits its tensor arena, and matches the sensor's channels";
            case MODEL_CRC_MISMATCH -> "chunks kept arriving corrupted (" + retries + " retries); check the cable "
                    + "or baud rate, or deploy with a smaller DeployOptions.chunkSize";
            case MODEL_OFFSET_MISMATCH -> "the device lost track of the transfer (is another host deploying to it?); "
                    + "deploy again";
            case MODEL_VERSION_REJECTED -> "the device has accepted a newer model version and refuses to go back "
                    + "(anti-rollback); package this model with a higher version (gyrosentinel package --version N), "
                    + "or, to go back on purpose, sign a bundle with gyrosentinel package --downgrade";
            case INVALID_ARGUMENT -> "manifest.scope".equals(e.field())
                    ? "the bundle was packaged for another device; package it again with --scope "
                    + client.info().deviceId() + " (or without --scope for any device)"
                    : "the bundle does not match what the device expects; package it again with gyrosentinel package";
            case CONNECTION_CLOSED, TRANSPORT, TIMEOUT -> "the link was lost at " + offset + " of " + total
                    + " bytes after " + retries + " retries; the device keeps what it received: deploy the same "
                    + "bundle again to resume";
            case CANCELLED -> "the device keeps what it received: deploy the same bundle again to resume";
            case UNSUPPORTED -> "update the device's firmware to one with a model store";
            default -> null;
        };
        return new GyroSentinelException(e.code(), advice == null ? what : what + ". " + capitalize(advice),
                e.field(), e);
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Runs tasks one at a time, in order, on another executor: progress must not arrive out of order. */
    private static final class SerialExecutor implements Executor {
        private final Executor target;
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private boolean running;

        SerialExecutor(Executor target) {
            this.target = target;
        }

        @Override
        public void execute(Runnable r) {
            synchronized (tasks) {
                tasks.add(r);
                if (running) {
                    return;
                }
                running = true;
            }
            try {
                target.execute(this::drain);
            } catch (RuntimeException e) {
                // executor shut down (client closed): progress no longer matters
                synchronized (tasks) {
                    tasks.clear();
                    running = false;
                }
            }
        }

        private void drain() {
            while (true) {
                Runnable r;
                synchronized (tasks) {
                    r = tasks.poll();
                    if (r == null) {
                        running = false;
                        return;
                    }
                }
                r.run();
            }
        }
    }
}
