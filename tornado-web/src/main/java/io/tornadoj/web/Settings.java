package io.tornadoj.web;

import io.tornadoj.internal.Seconds;
import io.tornadoj.template.BaseLoader;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An {@link Application}'s settings, Tornado's {@code **settings}: typed builder setters for Tornado's
 * settings plus {@link Builder#set(String, Object)} for anything else. Values are stored under
 * Tornado's own keys, so {@code settings.get("cookie_secret")} works. {@code debug} turns on
 * {@code serve_traceback} unless it is set. Immutable; thread-safe.
 */
public final class Settings {
    private final Map<String, Object> values;

    private Settings(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** @return a builder with no settings (Tornado's defaults apply) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return settings with nothing set */
    public static Settings empty() {
        return builder().build();
    }

    /**
     * A setting by Tornado's key.
     *
     * @param key e.g. {@code "cookie_secret"}
     * @return the value, or null
     */
    public Object get(String key) {
        return values.get(key);
    }

    /**
     * A setting by key with a default.
     *
     * @param key          the key
     * @param defaultValue returned when unset
     * @param <T>          the expected type
     * @return the value or the default
     */
    @SuppressWarnings("unchecked")
    public <T> T get(String key, T defaultValue) {
        Object v = values.get(key);
        return v == null ? defaultValue : (T) v;
    }

    /** @return every setting by key */
    public Map<String, Object> asMap() {
        return values;
    }

    private boolean flag(String key) {
        return Boolean.TRUE.equals(values.get(key));
    }

    /** @return {@code debug} */
    public boolean debug() {
        return flag("debug");
    }

    /** @return {@code compress_response}: gzip responses to clients that accept it */
    public boolean compressResponse() {
        return flag("compress_response");
    }

    /** @return {@code cookie_secret}: a String, or a {@code Map<Integer,String>} of versioned keys */
    public Object cookieSecret() {
        return values.get("cookie_secret");
    }

    /** @return {@code key_version}, the key of {@link #cookieSecret()} used to sign, or null */
    public Integer keyVersion() {
        return (Integer) values.get("key_version");
    }

    /** @return {@code login_url} */
    public String loginUrl() {
        return (String) values.get("login_url");
    }

    /** @return {@code xsrf_cookies} */
    public boolean xsrfCookies() {
        return flag("xsrf_cookies");
    }

    /** @return {@code xsrf_cookie_kwargs} */
    @SuppressWarnings("unchecked")
    public Map<String, Object> xsrfCookieKwargs() {
        return (Map<String, Object>) values.getOrDefault("xsrf_cookie_kwargs", Map.of());
    }

    /** @return {@code static_path}, or null */
    public Path staticPath() {
        return (Path) values.get("static_path");
    }

    /** @return {@code static_url_prefix} (default {@code /static/}) */
    public String staticUrlPrefix() {
        return (String) values.getOrDefault("static_url_prefix", "/static/");
    }

    /** @return {@code static_handler_class}, or null for the default ({@link StaticFileHandler}) */
    @SuppressWarnings("unchecked")
    public Class<? extends RequestHandler> staticHandlerClass() {
        return (Class<? extends RequestHandler>) values.get("static_handler_class");
    }

    /** @return {@code template_path}, or null */
    public Path templatePath() {
        return (Path) values.get("template_path");
    }

    /** @return {@code template_loader}: the loader {@code render} uses instead of one on {@code template_path}, or null */
    public BaseLoader templateLoader() {
        return (BaseLoader) values.get("template_loader");
    }

    /** @return {@code autoescape} (default {@code xhtml_escape}; null when set to null: no autoescaping) */
    public String autoescape() {
        return values.containsKey("autoescape") ? (String) values.get("autoescape") : "xhtml_escape";
    }

    /** @return {@code default_handler_class}, or null (unmatched requests get 404) */
    @SuppressWarnings("unchecked")
    public Class<? extends RequestHandler> defaultHandlerClass() {
        return (Class<? extends RequestHandler>) values.get("default_handler_class");
    }

    /** @return {@code default_handler_args} */
    @SuppressWarnings("unchecked")
    public Map<String, Object> defaultHandlerArgs() {
        return (Map<String, Object>) values.getOrDefault("default_handler_args", Map.of());
    }

    /** @return {@code default_host}, or null */
    public String defaultHost() {
        return (String) values.get("default_host");
    }

    /** @return {@code serve_traceback}: error pages show the stack (default: {@code debug}) */
    public boolean serveTraceback() {
        Object v = values.get("serve_traceback");
        return v == null ? debug() : Boolean.TRUE.equals(v);
    }

    /**
     * @return {@code ui_modules}: name → a {@link UIModule} subclass (one instance per handler, its {@code render}
     *     method called by {@code {% module Name(args) %}}) or a template function called as is
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> uiModules() {
        return (Map<String, Object>) values.getOrDefault("ui_modules", Map.of());
    }

    /** @return {@code ui_methods}: name → a template function, called with the handler as first argument */
    @SuppressWarnings("unchecked")
    public Map<String, Object> uiMethods() {
        return (Map<String, Object>) values.getOrDefault("ui_methods", Map.of());
    }

    /** @return {@code websocket_ping_interval}, or null */
    public Duration websocketPingInterval() {
        return (Duration) values.get("websocket_ping_interval");
    }

    /** @return {@code websocket_ping_timeout}, or null */
    public Duration websocketPingTimeout() {
        return (Duration) values.get("websocket_ping_timeout");
    }

    /** @return {@code websocket_max_message_size} (default 10 MiB) */
    public int websocketMaxMessageSize() {
        return (Integer) values.getOrDefault("websocket_max_message_size", 10 * 1024 * 1024);
    }

    @Override
    public String toString() {
        return "Settings" + values.keySet();
    }

    /** Builds {@link Settings}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Any setting by Tornado's key. Tornado-style values of typed settings are converted, so the typed
         * getters work: a {@code String} for {@code static_path} or {@code template_path} becomes a
         * {@link Path}, a {@code Number} of seconds for {@code websocket_ping_interval} or
         * {@code websocket_ping_timeout} a {@link Duration}.
         *
         * @param key   the key
         * @param value the value (null removes it)
         * @return this
         */
        public Builder set(String key, Object value) {
            Objects.requireNonNull(key, "key");
            if (value == null) {
                values.remove(key);
            } else {
                values.put(key, typed(key, value));
            }
            return this;
        }

        private static Object typed(String key, Object value) {
            switch (key) {
                case "static_path":
                case "template_path":
                    return value instanceof String ? Path.of((String) value) : value;
                case "websocket_ping_interval":
                case "websocket_ping_timeout":
                    return value instanceof Number ? Seconds.toDuration(((Number) value).doubleValue()) : value;
                default:
                    return value;
            }
        }

        /** @param v debug mode (turns on serve_traceback) @return this */
        public Builder debug(boolean v) {
            return set("debug", v);
        }

        /** @param v gzip responses @return this */
        public Builder compressResponse(boolean v) {
            return set("compress_response", v);
        }

        /** @param v the secret for signed cookies @return this */
        public Builder cookieSecret(String v) {
            return set("cookie_secret", v);
        }

        /** @param v versioned secrets for signed cookies (use with {@link #keyVersion}) @return this */
        public Builder cookieSecret(Map<Integer, String> v) {
            return set("cookie_secret", Map.copyOf(v));
        }

        /** @param v which versioned secret signs new cookies @return this */
        public Builder keyVersion(int v) {
            return set("key_version", v);
        }

        /** @param v where {@code @Authenticated} sends anonymous users @return this */
        public Builder loginUrl(String v) {
            return set("login_url", v);
        }

        /** @param v check XSRF tokens on unsafe methods @return this */
        public Builder xsrfCookies(boolean v) {
            return set("xsrf_cookies", v);
        }

        /** @param v options of the XSRF cookie @return this */
        public Builder xsrfCookieKwargs(Map<String, Object> v) {
            return set("xsrf_cookie_kwargs", Map.copyOf(v));
        }

        /** @param v the static files' directory @return this */
        public Builder staticPath(Path v) {
            return set("static_path", v);
        }

        /** @param v the URL prefix of static files @return this */
        public Builder staticUrlPrefix(String v) {
            return set("static_url_prefix", v);
        }

        /** @param v the handler class for static files @return this */
        public Builder staticHandlerClass(Class<? extends RequestHandler> v) {
            return set("static_handler_class", v);
        }

        /** @param v the templates' directory @return this */
        public Builder templatePath(Path v) {
            return set("template_path", v);
        }

        /** @param v the template loader of {@code render} (instead of one on {@code template_path}) @return this */
        public Builder templateLoader(BaseLoader v) {
            return set("template_loader", v);
        }

        /** @param v the autoescape function name, or null for none (Tornado's {@code autoescape=None}) @return this */
        public Builder autoescape(String v) {
            values.put("autoescape", v); // kept when null: unlike an unset key, null turns autoescaping off
            return this;
        }

        /** @param v the handler for requests no rule matches @return this */
        public Builder defaultHandlerClass(Class<? extends RequestHandler> v) {
            return set("default_handler_class", v);
        }

        /** @param v the default handler's initialize arguments @return this */
        public Builder defaultHandlerArgs(Map<String, Object> v) {
            return set("default_handler_args", Map.copyOf(v));
        }

        /** @param v the host that {@code addHandlers} rules fall back to @return this */
        public Builder defaultHost(String v) {
            return set("default_host", v);
        }

        /** @param v show stack traces on error pages @return this */
        public Builder serveTraceback(boolean v) {
            return set("serve_traceback", v);
        }

        /** @param v UI modules by name @return this */
        public Builder uiModules(Map<String, Object> v) {
            return set("ui_modules", Map.copyOf(v));
        }

        /** @param v UI methods by name @return this */
        public Builder uiMethods(Map<String, Object> v) {
            return set("ui_methods", Map.copyOf(v));
        }

        /** @param v WebSocket ping interval @return this */
        public Builder websocketPingInterval(Duration v) {
            return set("websocket_ping_interval", v);
        }

        /** @param seconds WebSocket ping interval in seconds (Tornado's float) @return this */
        public Builder websocketPingInterval(double seconds) {
            return websocketPingInterval(Seconds.toDuration(seconds));
        }

        /** @param v WebSocket ping timeout @return this */
        public Builder websocketPingTimeout(Duration v) {
            return set("websocket_ping_timeout", v);
        }

        /** @param seconds WebSocket ping timeout in seconds (Tornado's float) @return this */
        public Builder websocketPingTimeout(double seconds) {
            return websocketPingTimeout(Seconds.toDuration(seconds));
        }

        /** @param v the largest WebSocket message @return this */
        public Builder websocketMaxMessageSize(int v) {
            return set("websocket_max_message_size", v);
        }

        /** @return the settings */
        public Settings build() {
            return new Settings(values);
        }
    }
}
