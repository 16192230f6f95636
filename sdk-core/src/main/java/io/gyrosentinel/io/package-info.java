/**
 * File helpers of the SDK: {@link io.gyrosentinel.io.AtomicFiles} writes files that appear whole or not at all.
 */
package io.gyrosentinel.io;
