/** Implementation of {@code io.gyrosentinel.training.packaging}; not API. */
package io.gyrosentinel.training.packaging.internal;
