package io.tornadoj.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Tornado's {@code _TemplateReader} and {@code _parse}: splits template source into text,
 * {@code {{ }}}, {@code {% %}} and {@code {# #}} and builds the {@link Node} tree, parsing expressions with
 * {@link ExprParser}. Syntax errors are {@link ParseError}s with the template's name and line.
 * {@code {% autoescape %}} sets the template's autoescape; {@code {% whitespace %}} the mode of the text
 * that follows.
 */
final class TemplateParser {
    private static final Map<String, Set<String>> INTERMEDIATE = Map.of(
            "else", Set.of("if", "for", "while", "try"),
            "elif", Set.of("if"),
            "except", Set.of("try"),
            "finally", Set.of("try"));
    private static final Pattern SPACES = Pattern.compile("[\\t ]+");
    private static final Pattern NEWLINE = Pattern.compile("\\s*\\n\\s*");
    private static final Pattern ANY_SPACE = Pattern.compile("\\s+");

    /** The part of a block body that follows its opening tag or an intermediate tag ({@code else}...). */
    private static final class Section {
        final String operator;
        final String suffix;
        final int line;
        final List<Node> nodes = new ArrayList<>();

        Section(String operator, String suffix, int line) {
            this.operator = operator;
            this.suffix = suffix;
            this.line = line;
        }

        Node.Chunks chunks() {
            return new Node.Chunks(nodes);
        }
    }

    private final Template template;
    private final String name;
    private final String text;
    private String whitespace;
    private String autoescape;
    private int pos;
    private int line = 1;

    /**
     * @param template   the template being built (its blocks refer to it)
     * @param text       its source
     * @param whitespace the initial whitespace mode
     * @param autoescape the initial autoescape function, or null
     */
    TemplateParser(Template template, String text, String whitespace, String autoescape) {
        this.template = template;
        this.name = template.name();
        this.text = text;
        this.whitespace = whitespace;
        this.autoescape = autoescape;
    }

    /** Parses the whole template. */
    Node.Chunks parse() {
        return parse(null, false).get(0).chunks();
    }

    /** @return the template's autoescape function after parsing: the last {@code {% autoescape %}} wins */
    String autoescape() {
        return autoescape;
    }

    /** Tornado's {@code filter_whitespace}: {@code all}, {@code single} or {@code oneline}. */
    static String filterWhitespace(String mode, String value) {
        switch (mode) {
            case "all":
                return value;
            case "single":
                return NEWLINE.matcher(SPACES.matcher(value).replaceAll(" ")).replaceAll("\n");
            case "oneline":
                return ANY_SPACE.matcher(value).replaceAll(" ");
            default:
                throw new IllegalArgumentException("invalid whitespace mode " + mode);
        }
    }

    private ParseError error(String message) {
        return new ParseError(message, name, line);
    }

    private String consume(int count) {
        int end = pos + count;
        for (int i = pos; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        String s = text.substring(pos, end);
        pos = end;
        return s;
    }

    private void addText(List<Node> nodes, String value) {
        if (!value.contains("<pre>")) {
            value = filterWhitespace(whitespace, value);
        }
        if (!value.isEmpty()) {
            nodes.add(new Node.Text(value));
        }
    }

    /**
     * Parses until the end of the text or the {@code {% end %}} of {@code inBlock}.
     *
     * @return the sections: the first has no operator; each {@code else}/{@code elif}/{@code except}/
     *     {@code finally} tag starts another
     */
    private List<Section> parse(String inBlock, boolean inLoop) {
        List<Section> sections = new ArrayList<>();
        Section section = new Section(null, null, line);
        sections.add(section);
        while (true) {
            // find the next tag; "{{{" and longer runs use the innermost braces
            int curly = pos;
            while (true) {
                curly = text.indexOf('{', curly);
                if (curly == -1 || curly + 1 == text.length()) {
                    if (inBlock != null) {
                        throw error("Missing {% end %} block for " + inBlock);
                    }
                    addText(section.nodes, consume(text.length() - pos));
                    return sections;
                }
                char next = text.charAt(curly + 1);
                if (next != '{' && next != '%' && next != '#') {
                    curly++;
                    continue;
                }
                if (curly + 2 < text.length() && next == '{' && text.charAt(curly + 2) == '{') {
                    curly++;
                    continue;
                }
                break;
            }
            if (curly > pos) {
                addText(section.nodes, consume(curly - pos));
            }
            String start = consume(2);
            int tagLine = line;
            if (pos < text.length() && text.charAt(pos) == '!') {
                consume(1);
                addText(section.nodes, start);
                continue;
            }
            if (start.equals("{#")) {
                int end = text.indexOf("#}", pos);
                if (end == -1) {
                    throw error("Missing end comment #}");
                }
                consume(end - pos + 2);
                continue;
            }
            if (start.equals("{{")) {
                int end = text.indexOf("}}", pos);
                if (end == -1) {
                    throw error("Missing end expression }}");
                }
                String contents = consume(end - pos).strip();
                consume(2);
                if (contents.isEmpty()) {
                    throw error("Empty expression");
                }
                section.nodes.add(new Node.Output(expression(contents, tagLine), tagLine, false));
                continue;
            }
            int end = text.indexOf("%}", pos);
            if (end == -1) {
                throw error("Missing end block %}");
            }
            String contents = consume(end - pos).strip();
            consume(2);
            if (contents.isEmpty()) {
                throw error("Empty block tag ({% %})");
            }
            int space = contents.indexOf(' ');
            String operator = space < 0 ? contents : contents.substring(0, space);
            String suffix = space < 0 ? "" : contents.substring(space + 1).strip();

            Set<String> allowedParents = INTERMEDIATE.get(operator);
            if (allowedParents != null) {
                if (inBlock == null) {
                    throw error(operator + " outside " + allowedParents + " block");
                }
                if (!allowedParents.contains(inBlock)) {
                    throw error(operator + " block cannot be attached to " + inBlock + " block");
                }
                section = new Section(operator, suffix, tagLine);
                sections.add(section);
                continue;
            }
            switch (operator) {
                case "end":
                    if (inBlock == null) {
                        throw error("Extra {% end %} block");
                    }
                    return sections;
                case "comment":
                    continue;
                case "extends":
                case "include": {
                    String path = stripQuotes(suffix);
                    if (path.isEmpty()) {
                        throw error(operator + " missing file path");
                    }
                    section.nodes.add(operator.equals("extends") ? new Node.Extends(path, tagLine)
                            : new Node.Include(path, name, tagLine));
                    continue;
                }
                case "set":
                    if (suffix.isEmpty()) {
                        throw error("set missing statement");
                    }
                    section.nodes.add(statement(suffix, tagLine));
                    continue;
                case "autoescape":
                    autoescape = suffix.equals("None") ? null : suffix;
                    continue;
                case "whitespace":
                    try {
                        filterWhitespace(suffix, "");
                    } catch (IllegalArgumentException e) {
                        throw error(e.getMessage());
                    }
                    whitespace = suffix;
                    continue;
                case "raw":
                    section.nodes.add(new Node.Output(expression(suffix, tagLine), tagLine, true));
                    continue;
                case "module":
                    section.nodes.add(module(suffix, tagLine));
                    continue;
                case "import":
                case "from":
                    throw error("{% " + operator + " %} is not supported: put what the template needs in its namespace");
                case "break":
                case "continue":
                    if (!inLoop) {
                        throw error(operator + " outside [for, while] block");
                    }
                    section.nodes.add(new Node.Jump(operator.equals("break") ? Node.LoopSignal.BREAK
                            : Node.LoopSignal.CONTINUE));
                    continue;
                case "apply":
                case "block":
                case "try":
                case "if":
                case "for":
                case "while": {
                    boolean loop = operator.equals("for") || operator.equals("while");
                    List<Section> body = parse(operator, loop || (!operator.equals("apply") && inLoop));
                    section.nodes.add(block(operator, suffix, tagLine, body));
                    continue;
                }
                default:
                    throw error("unknown operator: '" + operator + "'");
            }
        }
    }

    private static String stripQuotes(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && s.charAt(a) == '"') {
            a++;
        }
        while (b > a && s.charAt(b - 1) == '"') {
            b--;
        }
        s = s.substring(a, b);
        a = 0;
        b = s.length();
        while (a < b && s.charAt(a) == '\'') {
            a++;
        }
        while (b > a && s.charAt(b - 1) == '\'') {
            b--;
        }
        return s.substring(a, b);
    }

    private Expr expression(String source, int at) {
        ExprParser p = new ExprParser(source, name, at);
        Expr e = p.expressionList();
        p.expectEnd();
        return e;
    }

    private Node statement(String source, int at) {
        ExprParser p = new ExprParser(source, name, at);
        int mark = p.mark();
        Expr.Target target = null;
        String op = null;
        try {
            target = p.targetList();
            op = p.acceptAssignment();
        } catch (ParseError notATarget) {
            // an expression evaluated for its effect, parsed below
        }
        if (op == null) {
            p.reset(mark);
            Expr value = p.expressionList();
            p.expectEnd();
            return new Node.Statement(null, null, value, at);
        }
        if (!op.equals("=") && target.name == null) {
            throw p.error("illegal expression for augmented assignment");
        }
        Expr value = p.expressionList();
        p.expectEnd();
        return new Node.Statement(target, op, value, at);
    }

    private Node module(String source, int at) {
        Expr e = expression(source, at);
        if (!(e instanceof Expr.Call) || !(((Expr.Call) e).fn instanceof Expr.Name)) {
            throw new ParseError("module expects Name(arguments), not \"" + source + "\"", name, at);
        }
        return new Node.Module(((Expr.Name) ((Expr.Call) e).fn).id, (Expr.Call) e, at);
    }

    private Node block(String operator, String suffix, int at, List<Section> sections) {
        Section first = sections.get(0);
        switch (operator) {
            case "apply":
                if (suffix.isEmpty()) {
                    throw new ParseError("apply missing method name", name, at);
                }
                return new Node.Apply(expression(suffix, at), first.chunks(), at);
            case "block":
                if (suffix.isEmpty()) {
                    throw new ParseError("block missing name", name, at);
                }
                return new Node.NamedBlock(suffix, first.chunks(), template, at);
            case "if":
                return ifBlock(suffix, at, sections);
            case "try":
                return tryBlock(sections);
            default:
                Node.Chunks orElse = null;
                for (Section s : sections.subList(1, sections.size())) {
                    if (orElse != null) {
                        throw new ParseError("only one else block allowed in " + operator, name, s.line);
                    }
                    orElse = s.chunks();
                }
                if (operator.equals("while")) {
                    return new Node.Loop(null, expression(suffix, at), first.chunks(), orElse, at);
                }
                ExprParser p = new ExprParser(suffix, name, at);
                Expr.Target target = p.targetList();
                p.expectKeyword("in");
                Expr iterable = p.expressionList();
                p.expectEnd();
                return new Node.Loop(target, iterable, first.chunks(), orElse, at);
        }
    }

    private Node ifBlock(String suffix, int at, List<Section> sections) {
        List<Expr> conditions = new ArrayList<>();
        List<Node.Chunks> bodies = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        conditions.add(expression(suffix, at));
        bodies.add(sections.get(0).chunks());
        lines.add(at);
        Node.Chunks orElse = null;
        for (Section s : sections.subList(1, sections.size())) {
            if (orElse != null) {
                throw new ParseError(s.operator + " after else", name, s.line);
            }
            if (s.operator.equals("elif")) {
                conditions.add(expression(s.suffix, s.line));
                bodies.add(s.chunks());
                lines.add(s.line);
            } else {
                orElse = s.chunks();
            }
        }
        return new Node.If(conditions, bodies, orElse, lines);
    }

    private Node tryBlock(List<Section> sections) {
        List<Node.Except> handlers = new ArrayList<>();
        Node.Chunks orElse = null;
        Node.Chunks finallyBody = null;
        for (Section s : sections.subList(1, sections.size())) {
            if (finallyBody != null || (orElse != null && !s.operator.equals("finally"))) {
                throw new ParseError(s.operator + " out of order in try", name, s.line);
            }
            switch (s.operator) {
                case "except":
                    handlers.add(except(s));
                    break;
                case "else":
                    if (handlers.isEmpty()) {
                        throw new ParseError("else without except in try", name, s.line);
                    }
                    orElse = s.chunks();
                    break;
                default:
                    finallyBody = s.chunks();
            }
        }
        if (handlers.isEmpty() && finallyBody == null) {
            throw new ParseError("try without except or finally", name, sections.get(0).line);
        }
        return new Node.Try(sections.get(0).chunks(), handlers, orElse, finallyBody);
    }

    private Node.Except except(Section s) {
        ExprParser p = new ExprParser(s.suffix, name, s.line);
        List<String> types = new ArrayList<>();
        String as = null;
        if (!p.atEnd() && !p.isKeyword("as")) {
            Expr e = p.expression();
            List<Expr> names = e instanceof Expr.Sequence ? ((Expr.Sequence) e).items : List.of(e);
            for (Expr n : names) {
                if (!(n instanceof Expr.Name)) {
                    throw p.error("except expects exception names");
                }
                types.add(((Expr.Name) n).id);
            }
        }
        if (p.isKeyword("as")) {
            p.expectKeyword("as");
            as = p.acceptName();
            if (as == null) {
                throw p.error("expected a name after 'as'");
            }
        }
        p.expectEnd();
        return new Node.Except(types, as, s.chunks());
    }
}
