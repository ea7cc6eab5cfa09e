package io.tornadoj.examples.web;

import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.template.DictLoader;
import io.tornadoj.web.Application;
import io.tornadoj.web.RequestHandler;
import io.tornadoj.web.Settings;
import io.tornadoj.web.UIModule;

import java.util.List;
import java.util.Map;

import static io.tornadoj.web.Web.url;

/**
 * Templates: a page extending a base layout, a loop, autoescaping, and a UI module. The templates are
 * inline here (a {@link DictLoader}); a real application sets {@code templatePath(Path.of("templates"))}.
 * Try {@code curl http://localhost:8888/}.
 */
public final class TemplateExample {
    private TemplateExample() {
    }

    /** A blog entry; templates read its components as attributes ({@code entry.title}). */
    public record Entry(String title, String body) {
    }

    private static final List<Entry> ENTRIES = List.of(
            new Entry("Hello", "Tornado templates, in Java"),
            new Entry("<Escaping>", "{{ }} output is escaped & safe"));

    private static final Map<String, String> TEMPLATES = Map.of(
            "base.html", """
                    <html><head><title>{% block title %}Blog{% end %}</title></head>
                    <body>{% block body %}{% end %}</body></html>
                    """,
            "home.html", """
                    {% extends "base.html" %}
                    {% block title %}{{ title }}{% end %}
                    {% block body %}
                      <h1>{{ title }}</h1>
                      {% for entry in entries %}{% module Entry(entry) %}{% end %}
                      <p>{{ len(entries) }} entries</p>
                    {% end %}
                    """,
            "entry.html", "<article><h2>{{ entry.title }}</h2><p>{{ entry.body }}</p></article>");

    /** Renders one entry with {@code entry.html}, for {@code {% module Entry(entry) %}}. */
    public static class EntryModule extends UIModule {
        /**
         * @param entry the entry
         * @return its HTML
         */
        public String render(Entry entry) {
            return renderString("entry.html", Map.of("entry", entry));
        }
    }

    /** The home page. */
    public static class HomeHandler extends RequestHandler {
        /** Renders {@code home.html}. */
        public void get() {
            render("home.html", Map.of("title", "My blog", "entries", ENTRIES));
        }
    }

    /**
     * The application.
     *
     * @return an Application serving the home page from templates
     */
    public static Application makeApp() {
        return new Application(List.of(url("/", HomeHandler.class)), Settings.builder()
                .templateLoader(new DictLoader(TEMPLATES))
                .uiModules(Map.of("Entry", EntryModule.class))
                .build());
    }

    /**
     * Serves on the port given as the first argument (default 8888) until killed.
     *
     * @param args [port]
     */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
        makeApp().listen(port);
        System.out.println("Listening on http://localhost:" + port + "/ (Ctrl-C to stop)");
        IOLoop.current().start();
    }
}
