package org.syncbus.http;

import org.syncbus.limits.NodeLimits;
import org.syncbus.metrics.NodeMetrics;
import org.syncbus.support.ThrottledLog;
import org.syncbus.tls.ServerTls;

/**
 * What every HTTP edge of a node shares with the others ({@code -instances N}): the subscriber
 * counts, the node-wide limits (connections, bodies in memory), the throttled log of what
 * clients cause, the port's TLS ({@code http.tls}: its certificate, loaded before any edge
 * starts, and followed as its files change), and the node's view of its cluster.
 */
public record EdgeResources(SubscriberCounts counts, NodeLimits limits, ThrottledLog clientLog, ServerTls tls,
                            ClusterView cluster, NodeMetrics metrics) {}
