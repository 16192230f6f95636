package io.gyrosentinel.integration.opcua.internal;

import io.gyrosentinel.client.DeviceWatch;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.milo.opcua.sdk.core.Reference;
import org.eclipse.milo.opcua.sdk.server.EventListener;
import org.eclipse.milo.opcua.sdk.server.ManagedNamespaceWithLifecycle;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.items.DataItem;
import org.eclipse.milo.opcua.sdk.server.items.EventItem;
import org.eclipse.milo.opcua.sdk.server.items.MonitoredItem;
import org.eclipse.milo.opcua.sdk.server.model.objects.BaseEventTypeNode;
import org.eclipse.milo.opcua.sdk.server.model.objects.ServerTypeNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaFolderNode;
import org.eclipse.milo.opcua.sdk.server.util.SubscriptionModel;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ubyte;

/**
 * The GyroSentinel namespace: the {@code Objects/GyroSentinel} folder and one object per device under it. Data
 * items are sampled by Milo's {@link SubscriptionModel} (it reads the value the listeners last set); event items
 * on the folder get every device's events, on a device object that device's.
 */
public final class DeviceNamespace extends ManagedNamespaceWithLifecycle {
    /** The namespace URI. */
    public static final String URI = "urn:gyrosentinel:devices";
    /** String id of the folder node. */
    public static final String FOLDER = "GyroSentinel";

    private final SubscriptionModel subscriptionModel;
    private final Map<String, DeviceObject> devices = new ConcurrentHashMap<>();
    private final Map<EventItem, EventListener> eventItems = new ConcurrentHashMap<>();
    private volatile UaFolderNode folder;

    /**
     * Creates the namespace; {@link #startup()} adds the folder.
     *
     * @param server the server
     */
    public DeviceNamespace(OpcUaServer server) {
        super(server, URI);
        subscriptionModel = new SubscriptionModel(server, this);
        getLifecycleManager().addLifecycle(subscriptionModel);
        getLifecycleManager().addStartupTask(this::createFolder);
    }

    private void createFolder() {
        UaFolderNode f = new UaFolderNode(getNodeContext(), newNodeId(FOLDER), newQualifiedName(FOLDER),
                LocalizedText.english(FOLDER));
        f.setEventNotifier(ubyte(1));
        getNodeManager().addNode(f);
        f.addReference(new Reference(f.getNodeId(), NodeIds.Organizes, NodeIds.ObjectsFolder.expanded(), false));
        getServer().getAddressSpaceManager().getManagedNode(NodeIds.Server).ifPresent(n -> {
            if (n instanceof ServerTypeNode s) {
                s.setEventNotifier(ubyte(1));
            }
        });
        folder = f;
    }

    /**
     * Adds a device's object.
     *
     * @param watch the device
     * @return the object
     * @throws IllegalArgumentException when a device with the same id is already there
     */
    public DeviceObject add(DeviceWatch watch) {
        Objects.requireNonNull(watch, "watch");
        String id = watch.deviceId();
        DeviceObject[] made = new DeviceObject[1];
        devices.compute(id, (k, old) -> {
            if (old != null) {
                throw new IllegalArgumentException("a device with id '" + id + "' is already served");
            }
            made[0] = new DeviceObject(this, watch);
            return made[0];
        });
        made[0].attach(folder);
        return made[0];
    }

    void removed(DeviceObject d) {
        devices.remove(d.deviceId(), d);
        d.detach(folder);
    }

    /** {@return the devices served now, by id} */
    public Map<String, DeviceObject> devices() {
        return Map.copyOf(devices);
    }

    /** Fires an event to the server's event notifier (Server object, folder and the source device's items). */
    void fire(BaseEventTypeNode event) {
        getServer().getEventNotifier().fire(event);
    }

    OpcUaServer server() {
        return getServer();
    }

    NodeId nodeId(String id) {
        return newNodeId(id);
    }

    QualifiedName name(String name) {
        return newQualifiedName(name);
    }

    @Override
    public void onDataItemsCreated(List<DataItem> items) {
        subscriptionModel.onDataItemsCreated(items);
    }

    @Override
    public void onDataItemsModified(List<DataItem> items) {
        subscriptionModel.onDataItemsModified(items);
    }

    @Override
    public void onDataItemsDeleted(List<DataItem> items) {
        subscriptionModel.onDataItemsDeleted(items);
    }

    @Override
    public void onMonitoringModeChanged(List<MonitoredItem> items) {
        subscriptionModel.onMonitoringModeChanged(items);
        for (MonitoredItem m : items) {
            if (m instanceof EventItem e) {
                update(e);
            }
        }
    }

    @Override
    public void onEventItemsCreated(List<EventItem> items) {
        items.forEach(this::update);
    }

    @Override
    public void onEventItemsModified(List<EventItem> items) {
        items.forEach(this::update);
    }

    @Override
    public void onEventItemsDeleted(List<EventItem> items) {
        for (EventItem item : items) {
            EventListener l = eventItems.remove(item);
            if (l != null) {
                getServer().getEventNotifier().unregister(l);
            }
        }
    }

    private void update(EventItem item) {
        EventListener old = eventItems.remove(item);
        if (old != null) {
            getServer().getEventNotifier().unregister(old);
        }
        if (!item.isSamplingEnabled()) {
            return;
        }
        NodeId on = item.getReadValueId().getNodeId();
        EventListener l = on.equals(newNodeId(FOLDER))
                ? e -> {
                    if (e.getSourceNode() != null && e.getSourceNode().getNamespaceIndex().equals(getNamespaceIndex())) {
                        item.onEvent(e);
                    }
                }
                : e -> {
                    if (on.equals(e.getSourceNode())) {
                        item.onEvent(e);
                    }
                };
        eventItems.put(item, l);
        getServer().getEventNotifier().register(l);
    }
}
