/**
 * Internal: the Milo namespace, the device objects and the PKI directory behind
 * {@link io.gyrosentinel.integration.opcua.GyroOpcUaServer}. Not API; may change in any release.
 */
package io.gyrosentinel.integration.opcua.internal;
