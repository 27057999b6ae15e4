package org.syncbus.http;

import org.syncbus.limits.NodeLimits;
import org.syncbus.support.ThrottledLog;

/**
 * What every HTTP edge of a node shares with the others ({@code -instances N}): the subscriber
 * counts, the node-wide limits (connections, bodies in memory) and the throttled log of what
 * clients cause.
 */
public record EdgeResources(SubscriberCounts counts, NodeLimits limits, ThrottledLog clientLog) {}
