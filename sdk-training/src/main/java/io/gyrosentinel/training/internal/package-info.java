/** Implementation of {@code io.gyrosentinel.training}; not API. */
package io.gyrosentinel.training.internal;
