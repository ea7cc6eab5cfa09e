package io.tornadoj.web;

import io.tornadoj.httputil.HTTPServerRequest;

import java.util.Map;

/**
 * Tornado's {@code UIModule}: a reusable piece of a page, rendered by {@code {% module Name(args) %}} in a
 * template. Register the subclass under its name in the {@code ui_modules} setting
 * ({@code Settings.builder().uiModules(Map.of("Entry", EntryModule.class))}); each handler that renders a
 * template gets its own instance (made with the public no-argument constructor) and the template calls its
 * public {@code render} method whose parameter count matches the arguments — declare one or more, e.g.
 * {@code public String render(Entry entry, boolean showComments)}. The result is inserted without escaping.
 *
 * <p>Runs on the handler's loop thread.
 */
public abstract class UIModule {
    private RequestHandler handler;

    /** Modules are made by the handler that renders them, with this constructor. */
    protected UIModule() {
    }

    /** Called by the handler right after construction. */
    final void init(RequestHandler owner) {
        this.handler = owner;
    }

    /** @return the handler rendering the template */
    public RequestHandler handler() {
        return handler;
    }

    /** @return the handler's request */
    public HTTPServerRequest request() {
        return handler.request();
    }

    /** @return the handler's {@link RequestHandler#currentUser()} */
    public Object currentUser() {
        return handler.currentUser();
    }

    /**
     * Renders another template with the handler's namespace, typically from {@code render}.
     *
     * @param template the template's name
     * @param kwargs   its variables
     * @return the output
     */
    public String renderString(String template, Map<String, Object> kwargs) {
        return handler.renderString(template, kwargs);
    }
}
