package io.tornadoj.tcpclient;

import io.netty.channel.Channel;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.ioloop.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Tornado's {@code _Connector} ("Happy Eyeballs", RFC 6555): connect to the addresses of the first
 * address's family one after another; start the other family after a delay, or at once when the first
 * family has failed; the first connection wins and the others are closed. Loop thread only.
 */
final class Connector {
    static final double SECONDARY_DELAY_SECONDS = 0.3;

    private final IOLoop loop;
    private final Function<InetSocketAddress, CompletableFuture<Channel>> connect;
    private final List<InetSocketAddress> primary = new ArrayList<>();
    private final List<InetSocketAddress> secondary = new ArrayList<>();
    private final Set<CompletableFuture<Channel>> attempts = new HashSet<>();
    final CompletableFuture<Channel> future = new CompletableFuture<>();
    private int remaining;
    private Throwable lastError;
    private Timeout secondaryTimer;
    private boolean secondaryStarted;

    Connector(IOLoop loop, List<InetSocketAddress> addresses,
              Function<InetSocketAddress, CompletableFuture<Channel>> connect) {
        this.loop = loop;
        this.connect = connect;
        this.remaining = addresses.size();
        // No addresses (a custom resolver may return none): start() then fails at once, as Tornado's does.
        Class<?> primaryFamily = addresses.isEmpty() ? null : addresses.get(0).getAddress().getClass();
        for (InetSocketAddress a : addresses) {
            (a.getAddress().getClass() == primaryFamily ? primary : secondary).add(a);
        }
    }

    CompletableFuture<Channel> start() {
        tryConnect(primary.iterator());
        if (!secondary.isEmpty()) {
            secondaryTimer = loop.callLater(SECONDARY_DELAY_SECONDS, this::startSecondary);
        }
        return future;
    }

    /** Fails the whole attempt (overall timeout) and closes every pending connection. */
    void fail(Throwable error) {
        if (future.completeExceptionally(error)) {
            cancelTimer();
            closeLosers();
        }
    }

    private void startSecondary() {
        cancelTimer();
        if (!secondaryStarted && !future.isDone()) {
            secondaryStarted = true;
            tryConnect(secondary.iterator());
        }
    }

    private void tryConnect(Iterator<InetSocketAddress> addresses) {
        if (!addresses.hasNext()) {
            if (remaining == 0 && !future.isDone()) {
                cancelTimer();
                future.completeExceptionally(lastError != null ? lastError : new IOException("connection failed"));
            }
            return;
        }
        InetSocketAddress address = addresses.next();
        CompletableFuture<Channel> attempt = connect.apply(address);
        attempts.add(attempt);
        attempt.whenComplete((ch, t) -> {
            remaining--;
            attempts.remove(attempt);
            if (t != null) {
                if (future.isDone()) {
                    return;
                }
                lastError = t;
                tryConnect(addresses);
                if (!secondaryStarted && secondaryTimer != null) {
                    startSecondary(); // this family is failing: do not wait for the timer
                }
                return;
            }
            if (!future.complete(ch)) {
                ch.close(); // a loser
                return;
            }
            cancelTimer();
            closeLosers();
        });
    }

    private void closeLosers() {
        for (CompletableFuture<Channel> a : new ArrayList<>(attempts)) {
            a.cancel(false);
        }
        attempts.clear();
    }

    private void cancelTimer() {
        if (secondaryTimer != null) {
            secondaryTimer.cancel();
            secondaryTimer = null;
        }
    }
}
