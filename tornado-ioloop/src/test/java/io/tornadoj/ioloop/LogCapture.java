package io.tornadoj.ioloop;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** Captures (and swallows) what one logger writes while open. */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger;
    private final boolean additive;
    private final List<ILoggingEvent> events = new ArrayList<>();

    LogCapture(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        additive = logger.isAdditive();
        logger.setAdditive(false);
        logger.setLevel(Level.DEBUG);
        setContext(logger.getLoggerContext());
        start();
        logger.addAppender(this);
    }

    @Override
    protected synchronized void append(ILoggingEvent e) {
        events.add(e);
    }

    synchronized List<ILoggingEvent> events() {
        return new ArrayList<>(events);
    }

    synchronized List<String> messages() {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : events) {
            out.add(e.getFormattedMessage());
        }
        return out;
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        logger.setAdditive(additive);
        logger.setLevel(null);
        stop();
    }
}
