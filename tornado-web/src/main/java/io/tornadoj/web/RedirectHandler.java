package io.tornadoj.web;

import java.util.Map;

/**
 * Tornado's {@code RedirectHandler}: redirects to {@code url} (init argument; {@code {0}}, {@code {1}}…
 * are replaced by the pattern's groups, {@code {name}} by named groups), keeping the query string;
 * {@code permanent} (default true) chooses 301 over 302, or {@code status} sets the code.
 */
public class RedirectHandler extends RequestHandler {
    private String url;
    private int status = 301;

    /** Made by the Application. */
    public RedirectHandler() {
    }

    /** @param initArgs {@code url} (required), {@code permanent} (Boolean), {@code status} (Integer) */
    @Override
    public void initialize(Map<String, Object> initArgs) {
        url = (String) initArgs.get("url");
        if (url == null) {
            throw new IllegalArgumentException("RedirectHandler needs a 'url' argument");
        }
        if (Boolean.FALSE.equals(initArgs.get("permanent"))) {
            status = 302;
        }
        if (initArgs.get("status") != null) {
            status = ((Number) initArgs.get("status")).intValue();
        }
    }

    /**
     * Redirects.
     *
     * @param args the pattern's groups
     */
    public void get(String... args) {
        String to = url;
        for (int i = 0; i < args.length; i++) {
            to = to.replace("{" + i + "}", args[i] == null ? "" : args[i]);
        }
        for (Map.Entry<String, String> e : pathKwargs().entrySet()) {
            to = to.replace("{" + e.getKey() + "}", e.getValue() == null ? "" : e.getValue());
        }
        String query = request().query();
        if (!query.isEmpty()) {
            to = to + (to.contains("?") ? "&" : "?") + query;
        }
        redirect(to, status);
    }
}
