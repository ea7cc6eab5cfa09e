package io.tornadoj.template;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Tornado's {@code DictLoader}: templates from a map of name → source (handy in tests). Names in
 * {@code {% extends %}}/{@code {% include %}} are relative to the including template's directory
 * ({@code /}-separated) unless they start with {@code /}. Thread-safe if the map is not modified.
 */
public class DictLoader extends BaseLoader {
    private final Map<String, String> templates;

    /**
     * A loader with the default options.
     *
     * @param templates name → source (copied)
     */
    public DictLoader(Map<String, String> templates) {
        this(templates, Options.DEFAULT);
    }

    /**
     * A loader.
     *
     * @param templates name → source (copied)
     * @param options   autoescape, whitespace and namespace
     */
    public DictLoader(Map<String, String> templates, Options options) {
        super(options);
        this.templates = Map.copyOf(templates);
    }

    /** Relative to the parent's directory, normalized like {@code posixpath.normpath}. Any thread. */
    @Override
    public String resolvePath(String name, String parentPath) {
        if (parentPath != null && !parentPath.startsWith("<") && !parentPath.startsWith("/") && !name.startsWith("/")) {
            int slash = parentPath.lastIndexOf('/');
            return normpath(slash < 0 ? name : parentPath.substring(0, slash + 1) + name);
        }
        return name;
    }

    private static String normpath(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..") && !parts.isEmpty() && !parts.peekLast().equals("..")) {
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        return parts.isEmpty() ? "." : String.join("/", parts);
    }

    /**
     * Compiles the source of a name.
     *
     * @throws IllegalArgumentException when the map has no such name
     */
    @Override
    protected Template createTemplate(String name) {
        String source = templates.get(name);
        if (source == null) {
            throw new IllegalArgumentException("no template named " + name);
        }
        return new Template(source, name, this);
    }
}
