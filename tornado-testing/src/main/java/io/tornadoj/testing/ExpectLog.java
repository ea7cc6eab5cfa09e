package io.tornadoj.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Tornado's {@code ExpectLog}: while open, log records of a logger (or its children) whose message matches a
 * regex (from the start, as Python's {@code re.match}) are swallowed and counted; {@link #close()} fails if
 * a required one never came. Works through Logback (the binding this module brings).
 *
 * <pre>{@code
 * try (ExpectLog e = new ExpectLog("tornado.application", "Uncaught exception")) {
 *     fetch("/fail");
 * }
 * }</pre>
 */
public class ExpectLog implements AutoCloseable {
    private final String logger;
    private final Pattern regex;
    private final boolean required;
    private final Level level;
    private final LoggerContext context;
    private final TurboFilter filter;
    private volatile int matched;

    /**
     * Expects at least one matching record.
     *
     * @param logger the logger name, e.g. {@code tornado.application}
     * @param regex  the message pattern
     */
    public ExpectLog(String logger, String regex) {
        this(logger, regex, true);
    }

    /**
     * Swallows matching records; fails at close only if {@code required} and none came.
     *
     * @param logger   the logger name
     * @param regex    the message pattern
     * @param required whether a match is required
     */
    public ExpectLog(String logger, String regex, boolean required) {
        this(logger, regex, required, null);
    }

    /**
     * As above, matching only records of one level.
     *
     * @param logger   the logger name
     * @param regex    the message pattern
     * @param required whether a match is required
     * @param level    the only level that matches, or null for any level the logger lets through; it matches
     *                 even below the logger's level, and {@code isEnabledFor} that level is true meanwhile
     */
    public ExpectLog(String logger, String regex, boolean required, org.slf4j.event.Level level) {
        this.logger = Objects.requireNonNull(logger, "logger");
        this.regex = Pattern.compile(regex, Pattern.DOTALL);
        this.required = required;
        this.level = level == null ? null : Level.convertAnSLF4JLevel(level);
        this.context = (LoggerContext) LoggerFactory.getILoggerFactory();
        this.filter = new TurboFilter() {
            @Override
            public FilterReply decide(Marker marker, Logger log, Level lvl, String format, Object[] params, Throwable t) {
                if (format == null && enables(log, lvl)) {
                    // an isXxxEnabled() check: the expected level is on, as Tornado lowers the logger's level
                    return FilterReply.ACCEPT;
                }
                return ExpectLog.this.decide(log, lvl, format, params) ? FilterReply.DENY : FilterReply.NEUTRAL;
            }
        };
        filter.start();
        context.addTurboFilter(filter);
    }

    private boolean covers(Logger log) {
        String name = log.getName();
        return name.equals(logger) || name.startsWith(logger + ".");
    }

    /** Whether {@code lvl} on {@code log} is the expected level, which is enabled even below the logger's level. */
    private boolean enables(Logger log, Level lvl) {
        return level != null && log != null && level.equals(lvl) && covers(log);
    }

    private boolean decide(Logger log, Level lvl, String format, Object[] params) {
        if (format == null || log == null || lvl == null || !covers(log)) {
            return false;
        }
        if (level != null ? !lvl.equals(level) : !lvl.isGreaterOrEqual(log.getEffectiveLevel())) {
            return false;
        }
        String message = params == null || params.length == 0 ? format
                : MessageFormatter.arrayFormat(format, params).getMessage();
        if (!regex.matcher(message).lookingAt()) {
            return false;
        }
        synchronized (this) {
            matched++;
        }
        return true;
    }

    /** @return how many records matched so far */
    public int matched() {
        return matched;
    }

    /**
     * Stops swallowing.
     *
     * @throws AssertionError when a required record never came
     */
    @Override
    public void close() {
        context.getTurboFilterList().remove(filter);
        filter.stop();
        if (required && matched == 0) {
            throw new AssertionError("did not get expected log message on " + logger + ": " + regex.pattern());
        }
    }
}
