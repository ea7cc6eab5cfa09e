package io.tornadoj.web;

import io.tornadoj.httpserver.HTTPServer;
import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerRequest;
import io.tornadoj.routing.AnyMatches;
import io.tornadoj.routing.DefaultHostMatches;
import io.tornadoj.routing.HostMatches;
import io.tornadoj.routing.Matcher;
import io.tornadoj.routing.PathMatches;
import io.tornadoj.routing.ReversibleRouter;
import io.tornadoj.routing.ReversibleRuleRouter;
import io.tornadoj.routing.Router;
import io.tornadoj.routing.Rule;
import io.tornadoj.template.BaseLoader;
import io.tornadoj.template.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tornado's {@code Application}: URL rules to {@link RequestHandler}s, settings, and the access log; an
 * {@link io.tornadoj.httputil.HTTPServerConnectionDelegate} to serve with an {@link HTTPServer}
 * ({@link #listen}). Built on the routing package: rules are tried in order, host-specific rules added with
 * {@link #addHandlers} come first, and a request nothing matches gets {@code default_handler_class} or a
 * 404. Handler methods are checked when rules are added: a method whose arity does not match its pattern
 * is an {@link IllegalArgumentException} naming the handler and pattern.
 *
 * <p>Add rules before serving. Request handling runs on the connections' loop threads.
 */
public class Application implements ReversibleRouter {
    private static final Logger ACCESS_LOG = LoggerFactory.getLogger("tornado.access");

    private final Settings settings;
    private final AppRouter wildcardRouter;
    private final AppRouter defaultRouter;
    private final HandlerSpec defaultHandler;
    private final Map<String, Object> defaultHandlerArgs;
    /** The loader of {@link RequestHandler#render}, made on first use (under {@code this}). */
    private volatile BaseLoader templateLoader;

    /**
     * An application with default settings.
     *
     * @param handlers the rules, usually {@link Web#url}s
     */
    public Application(List<? extends Rule> handlers) {
        this(handlers, Settings.empty());
    }

    /**
     * An application.
     *
     * @param handlers the rules
     * @param settings the settings
     * @throws IllegalArgumentException when a handler does not fit its pattern
     */
    public Application(List<? extends Rule> handlers, Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.wildcardRouter = new AppRouter(withStaticRules(handlers, settings));
        this.defaultRouter = new AppRouter(List.of(new Rule(new AnyMatches(), wildcardRouter)));
        if (settings.defaultHandlerClass() != null) {
            defaultHandler = HandlerSpec.of(settings.defaultHandlerClass(), -1, "default_handler_class");
            defaultHandlerArgs = settings.defaultHandlerArgs();
        } else {
            defaultHandler = HandlerSpec.of(ErrorHandler.class, -1, "404");
            defaultHandlerArgs = Map.of("status_code", 404);
        }
    }

    /**
     * Tornado's static rules: with {@code static_path}, {@code static_url_prefix + "(.*)"},
     * {@code /(favicon\.ico)} and {@code /(robots\.txt)} go to {@code static_handler_class} (default
     * {@link StaticFileHandler}) with {@code path} = the static path, in front of the given rules.
     */
    private static List<? extends Rule> withStaticRules(List<? extends Rule> handlers, Settings settings) {
        if (settings.staticPath() == null) {
            return handlers;
        }
        Class<? extends RequestHandler> handlerClass = settings.staticHandlerClass() != null
                ? settings.staticHandlerClass() : StaticFileHandler.class;
        Map<String, Object> args = Map.of("path", settings.staticPath());
        List<Rule> rules = new java.util.ArrayList<>();
        String prefix = settings.staticUrlPrefix().replaceAll("[\\\\.\\[\\]{}()*+?^$|-]", "\\\\$0");
        rules.add(Web.url(prefix + "(.*)", handlerClass, args));
        rules.add(Web.url("/(favicon\\.ico)", handlerClass, args));
        rules.add(Web.url("/(robots\\.txt)", handlerClass, args));
        rules.addAll(handlers);
        return rules;
    }

    /** @return the settings */
    public Settings settings() {
        return settings;
    }

    /**
     * The loader {@link RequestHandler#render} uses: {@code template_loader}, else one {@link Loader} on
     * {@code template_path} (with the {@code autoescape} and {@code template_whitespace} settings) made on first
     * use and kept. Any thread.
     */
    BaseLoader templateLoader() {
        BaseLoader loader = templateLoader;
        if (loader == null) {
            synchronized (this) {
                loader = templateLoader;
                if (loader == null) {
                    loader = settings.templateLoader();
                    if (loader == null) {
                        loader = new Loader(settings.templatePath(), BaseLoader.Options.builder()
                                .autoescape(settings.autoescape())
                                .whitespace((String) settings.get("template_whitespace"))
                                .build());
                    }
                    templateLoader = loader;
                }
            }
        }
        return loader;
    }

    /**
     * Serves the application on a port, every interface, on {@link io.tornadoj.ioloop.IOLoop#current()}.
     *
     * @param port the port (0 picks one: see {@link HTTPServer#boundAddresses()})
     * @return the server
     */
    public HTTPServer listen(int port) {
        return listen(port, null, HTTPServer.Options.builder().build());
    }

    /**
     * Serves on an address.
     *
     * @param port    the port
     * @param address the address or host name (null or "" = every interface)
     * @return the server
     */
    public HTTPServer listen(int port, String address) {
        return listen(port, address, HTTPServer.Options.builder().build());
    }

    /**
     * Serves with server options.
     *
     * @param port    the port
     * @param options the server options
     * @return the server
     */
    public HTTPServer listen(int port, HTTPServer.Options options) {
        return listen(port, null, options);
    }

    /**
     * Serves on an address with server options.
     *
     * @param port    the port
     * @param address the address (null or "" = every interface)
     * @param options the server options
     * @return the server
     */
    public HTTPServer listen(int port, String address, HTTPServer.Options options) {
        HTTPServer server = new HTTPServer(this, options);
        server.listen(port, address);
        return server;
    }

    /**
     * Adds rules for hosts matching a regex; they are tried before the rules given at construction.
     * With the {@code default_host} setting they also serve requests for that host.
     *
     * @param hostPattern a regex for the host name
     * @param handlers    the rules
     */
    public void addHandlers(String hostPattern, List<? extends Rule> handlers) {
        HostMatches host = new HostMatches(hostPattern);
        List<Rule> rules = defaultRouter.rules();
        defaultRouter.insertAt(rules.size() - 1, new Rule(host, new AppRouter(handlers)));
        if (settings.defaultHost() != null) {
            wildcardRouter.addRule(new Rule(new DefaultHostMatches(settings::defaultHost,
                    java.util.regex.Pattern.compile(hostPattern.endsWith("$") ? hostPattern : hostPattern + "$")),
                    new AppRouter(handlers)));
        }
    }

    @Override
    public HTTPMessageDelegate findHandler(HTTPServerRequest request, Map<String, Object> kwargs) {
        HTTPMessageDelegate route = defaultRouter.findHandler(request, kwargs);
        if (route != null) {
            return route;
        }
        return new HandlerDelegate(this, request, defaultHandler, defaultHandlerArgs, List.of(), Map.of());
    }

    /**
     * The URL of a named rule.
     *
     * @param name the rule's name
     * @param args one per group of its pattern
     * @return the URL
     * @throws IllegalArgumentException when no rule has that name
     */
    @Override
    public String reverseUrl(String name, Object... args) {
        String url = defaultRouter.reverseUrl(name, args);
        if (url == null) {
            throw new IllegalArgumentException(name + " not found in named urls");
        }
        return url;
    }

    /**
     * Writes the access log line for a finished request on {@code tornado.access}: status, method, uri,
     * remote ip and milliseconds; INFO below 400, WARN below 500, ERROR otherwise. Override to change it.
     *
     * @param handler the finished handler
     */
    public void logRequest(RequestHandler handler) {
        int status = handler.getStatus();
        if (status < 400) {
            if (ACCESS_LOG.isInfoEnabled()) {
                ACCESS_LOG.info(accessLine(handler, status));
            }
        } else if (status < 500) {
            if (ACCESS_LOG.isWarnEnabled()) {
                ACCESS_LOG.warn(accessLine(handler, status));
            }
        } else if (ACCESS_LOG.isErrorEnabled()) {
            ACCESS_LOG.error(accessLine(handler, status));
        }
    }

    private static String accessLine(RequestHandler handler, int status) {
        // "%d %s %.2fms" without String.format (this runs for every request when INFO is on)
        long hundredths = Math.round(100_000.0 * handler.request().requestTime());
        long fraction = hundredths % 100;
        return new StringBuilder(80).append(status).append(' ').append(handler.summary()).append(' ')
                .append(hundredths / 100).append(fraction < 10 ? ".0" : ".").append(fraction).append("ms").toString();
    }

    /** The application's routers: they know handler targets (classes and suppliers). */
    private final class AppRouter extends ReversibleRuleRouter {
        AppRouter(List<? extends Rule> rules) {
            addRules(rules);
        }

        void insertAt(int index, Rule rule) {
            insertRule(index, rule);
        }

        @Override
        protected Rule processRule(Rule rule) {
            if (HandlerSpec.isHandler(rule.target())) {
                Matcher m = rule.matcher();
                int groups = m instanceof PathMatches ? ((PathMatches) m).groupCount() : -1;
                String pattern = m instanceof PathMatches ? ((PathMatches) m).regex().pattern() : m.toString();
                rule = new Rule(m, HandlerSpec.of(rule.target(), groups, pattern), rule.targetKwargs(), rule.name());
            }
            return super.processRule(rule);
        }

        @Override
        protected Router newNestedRouter(List<? extends Rule> nested) {
            return new AppRouter(nested);
        }

        @Override
        protected HTTPMessageDelegate getTargetDelegate(Object target, HTTPServerRequest request,
                                                        Map<String, Object> kwargs, Matcher.Match match) {
            if (target instanceof HandlerSpec) {
                return new HandlerDelegate(Application.this, request, (HandlerSpec) target, kwargs,
                        match.pathArgs(), match.pathKwargs());
            }
            return super.getTargetDelegate(target, request, kwargs, match);
        }
    }
}
