/**
 * Implementation of the Sparkplug B edge node: Eclipse Tahu payload encoding, the MQTT session (Paho, with the
 * SDK's MQTT connection settings), seq and bdSeq counters, id validation. Not an API: it may change at any time.
 */
package io.gyrosentinel.integration.sparkplug.internal;
