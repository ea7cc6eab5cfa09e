package io.tornadoj.routing;

import io.tornadoj.httputil.HTTPMessageDelegate;
import io.tornadoj.httputil.HTTPServerConnectionDelegate;
import io.tornadoj.httputil.HTTPServerRequest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tornado's {@code RuleRouter}: tries its rules in order; the first whose matcher matches and whose
 * target yields a delegate wins. Targets: a {@link Router}, an {@link HTTPServerConnectionDelegate}, or a
 * {@code List} of rules (a nested router). Subclasses such as {@code Application} add target kinds in
 * {@link #getTargetDelegate}. Add rules before serving; lookups run on loop threads.
 */
public class RuleRouter implements Router {
    private final List<Rule> rules = new ArrayList<>();

    /** An empty router. */
    public RuleRouter() {
    }

    /**
     * A router with rules.
     *
     * @param rules the rules, in order
     */
    public RuleRouter(List<? extends Rule> rules) {
        addRules(rules);
    }

    /**
     * Appends rules.
     *
     * @param newRules the rules
     */
    public void addRules(List<? extends Rule> newRules) {
        for (Rule r : newRules) {
            addRule(r);
        }
    }

    /**
     * Appends one rule (a {@code List} target becomes a nested router).
     *
     * @param rule the rule
     * @return the rule as stored
     */
    public Rule addRule(Rule rule) {
        Rule processed = processRule(rule);
        rules.add(processed);
        return processed;
    }

    /**
     * Inserts a rule at a position (for host rules that must come before a catch-all).
     *
     * @param index the position
     * @param rule  the rule
     */
    protected void insertRule(int index, Rule rule) {
        rules.add(index, processRule(rule));
    }

    /**
     * Checks and converts a rule before it is stored; the default turns a {@code List} target into a
     * nested router of this class's kind.
     *
     * @param rule the rule
     * @return the rule to store
     */
    @SuppressWarnings("unchecked")
    protected Rule processRule(Rule rule) {
        if (rule.target() instanceof List) {
            return new Rule(rule.matcher(), newNestedRouter((List<? extends Rule>) rule.target()), rule.targetKwargs(), rule.name());
        }
        return rule;
    }

    /**
     * The router for a nested rule list.
     *
     * @param nested the rules
     * @return a router
     */
    protected Router newNestedRouter(List<? extends Rule> nested) {
        return new RuleRouter(nested);
    }

    /** @return the rules, in order */
    public List<Rule> rules() {
        return Collections.unmodifiableList(rules);
    }

    @Override
    public HTTPMessageDelegate findHandler(HTTPServerRequest request, Map<String, Object> kwargs) {
        for (Rule rule : rules) {
            Matcher.Match m = rule.matcher().match(request);
            if (m == null) {
                continue;
            }
            Map<String, Object> params = new HashMap<>(kwargs);
            params.putAll(rule.targetKwargs());
            HTTPMessageDelegate delegate = getTargetDelegate(rule.target(), request, params, m);
            if (delegate != null) {
                return delegate;
            }
        }
        return null;
    }

    /**
     * The delegate for a matched rule's target.
     *
     * @param target  the rule's target
     * @param request the request
     * @param kwargs  the target's arguments
     * @param match   what the matcher extracted
     * @return the delegate, or null to try the next rule
     */
    protected HTTPMessageDelegate getTargetDelegate(Object target, HTTPServerRequest request, Map<String, Object> kwargs,
                                                    Matcher.Match match) {
        if (target instanceof Router) {
            return ((Router) target).findHandler(request, kwargs);
        }
        if (target instanceof HTTPServerConnectionDelegate) {
            return ((HTTPServerConnectionDelegate) target).startRequest(request.connection(), request.connection());
        }
        return null;
    }
}
