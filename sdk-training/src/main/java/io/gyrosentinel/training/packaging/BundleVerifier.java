package io.gyrosentinel.training.packaging;

import io.gyrosentinel.ErrorCode;
import io.gyrosentinel.GyroSentinelException;
import io.gyrosentinel.model.ModelBundle;
import io.gyrosentinel.training.packaging.internal.BundleManifest;
import java.security.PublicKey;

/**
 * The checks a device makes before it loads a bundle, on the host: every part matches its SHA-256 in the
 * manifest, and (with a key) the ECDSA P-256 signature over {@code manifest || SHA-256(payload)} is valid.
 *
 * <pre>{@code
 * BundleVerifier.verify(ModelBundle.read(path), SigningKeys.readPublicKey(Path.of("key.pub.pem")));
 * }</pre>
 */
public final class BundleVerifier {
    private BundleVerifier() {
    }

    /**
     * Checks a bundle as a device would before loading it; returns normally when it passes.
     *
     * @param bundle the bundle, as written by {@link ModelPackager}
     * @param key    the signer's public key, or null to check the hashes only
     * @throws GyroSentinelException {@code MODEL_HASH_MISMATCH}, {@code MODEL_SIGNATURE_INVALID} or
     *         {@code MODEL_LOAD_FAILED} (not a packaged GyroSentinel bundle)
     */
    public static void verify(ModelBundle bundle, PublicKey key) {
        BundleManifest.parse(bundle).checkHashes(bundle);
        if (key != null && !bundle.verify(key)) {
            throw new GyroSentinelException(ErrorCode.MODEL_SIGNATURE_INVALID, "bundle " + bundle.modelId()
                    + (bundle.isSigned() ? " has a signature that does not match this key and content"
                    : " is not signed") + "; do not install it");
        }
    }
}
