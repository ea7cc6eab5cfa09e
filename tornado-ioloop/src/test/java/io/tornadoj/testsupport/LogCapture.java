package io.tornadoj.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** Captures (and swallows) what one logger writes while open. */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger;
    private final boolean additive;
    private final List<ILoggingEvent> events = new ArrayList<>();

    /**
     * Starts capturing.
     *
     * @param name the logger name
     */
    public LogCapture(String name) {
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

    /** @return the captured events */
    public synchronized List<ILoggingEvent> events() {
        return new ArrayList<>(events);
    }

    /** @return the captured formatted messages */
    public synchronized List<String> messages() {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : events) {
            out.add(e.getFormattedMessage());
        }
        return out;
    }

    /**
     * The exception a captured event was logged with.
     *
     * @param e the event
     * @return the throwable, or null
     */
    public static Throwable thrown(ILoggingEvent e) {
        return e.getThrowableProxy() == null ? null
                : ((ch.qos.logback.classic.spi.ThrowableProxy) e.getThrowableProxy()).getThrowable();
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        logger.setAdditive(additive);
        logger.setLevel(null);
        stop();
    }
}
