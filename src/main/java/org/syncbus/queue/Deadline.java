package org.syncbus.queue;

import java.io.Serializable;

/**
 * When a record of an expiring queue runs out, as an absolute time: what a queue's history carries
 * beside its snapshot, so that the next owner of the queue restores each record's deadline instead
 * of giving it a fresh lifetime.
 *
 * @param atMillis the instant, in milliseconds since the epoch, from which the record is expired
 */
public record Deadline(Key key, long atMillis) implements Serializable {}
