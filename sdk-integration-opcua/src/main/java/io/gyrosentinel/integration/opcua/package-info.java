/**
 * OPC UA server for GyroSentinel devices (Eclipse Milo): {@link io.gyrosentinel.integration.opcua.GyroOpcUaServer}
 * shows each device followed by a {@link io.gyrosentinel.client.DeviceWatch} as an object with live variables,
 * anomaly alarms as OPC UA events, and methods to acknowledge an alarm and to calibrate. No Milo type appears in
 * this package's API.
 */
package io.gyrosentinel.integration.opcua;
