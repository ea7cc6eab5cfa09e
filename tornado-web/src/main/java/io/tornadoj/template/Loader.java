package io.tornadoj.template;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tornado's {@code Loader}: templates are UTF-8 files under a root directory; names are relative to it
 * ({@code "admin/page.html"}), and {@code {% extends %}}/{@code {% include %}} names are relative to the
 * including template's directory unless they start with {@code /}. A name that would leave the root
 * (through {@code ..}, an absolute path or a symbolic link) is refused. Thread-safe.
 */
public class Loader extends BaseLoader {
    private final Path root;

    /**
     * A loader with the default options.
     *
     * @param root the templates' directory
     */
    public Loader(Path root) {
        this(root, Options.DEFAULT);
    }

    /**
     * A loader.
     *
     * @param root    the templates' directory
     * @param options autoescape, whitespace and namespace
     */
    public Loader(Path root, Options options) {
        super(options);
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * Tornado's rule: relative to the parent template's directory when there is a parent (not a
     * {@code <string>} one) and neither name starts with {@code /}, provided the result stays in the root.
     * Any thread.
     */
    @Override
    public String resolvePath(String name, String parentPath) {
        if (parentPath != null && !parentPath.startsWith("<") && !parentPath.startsWith("/") && !name.startsWith("/")) {
            Path dir = root.resolve(parentPath).normalize().getParent();
            Path relative = dir.resolve(name).normalize();
            if (relative.startsWith(root) && !relative.equals(root)) {
                return root.relativize(relative).toString().replace(relative.getFileSystem().getSeparator(), "/");
            }
        }
        return name;
    }

    /**
     * Reads {@code root/name} as UTF-8 and compiles it.
     *
     * @throws IllegalArgumentException when the name leaves the root
     * @throws UncheckedIOException     when the file cannot be read
     */
    @Override
    protected Template createTemplate(String name) {
        Path path = root.resolve(name).normalize();
        try {
            if (!path.startsWith(root) || (Files.exists(path) && !path.toRealPath().startsWith(root.toRealPath()))) {
                throw new IllegalArgumentException("template " + name + " is not under the template root " + root);
            }
            return new Template(Files.readString(path, StandardCharsets.UTF_8), name, this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read template " + name, e);
        }
    }
}
