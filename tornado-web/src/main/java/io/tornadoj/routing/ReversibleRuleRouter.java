package io.tornadoj.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tornado's {@code ReversibleRuleRouter}: a {@link RuleRouter} whose named rules can be reversed into
 * URLs, looking into nested reversible routers too.
 */
public class ReversibleRuleRouter extends RuleRouter implements ReversibleRouter {
    private final Map<String, Rule> named = new HashMap<>();

    /** An empty router. */
    public ReversibleRuleRouter() {
    }

    /**
     * A router with rules.
     *
     * @param rules the rules, in order
     */
    public ReversibleRuleRouter(List<? extends Rule> rules) {
        addRules(rules);
    }

    @Override
    protected Rule processRule(Rule rule) {
        Rule processed = super.processRule(rule);
        if (processed.name() != null) {
            if (named.containsKey(processed.name())) {
                org.slf4j.LoggerFactory.getLogger("tornado.application")
                        .warn("Multiple handlers named {}; replacing previous value", processed.name());
            }
            named.put(processed.name(), processed);
        }
        return processed;
    }

    @Override
    protected Router newNestedRouter(List<? extends Rule> nested) {
        return new ReversibleRuleRouter(nested);
    }

    @Override
    public String reverseUrl(String name, Object... args) {
        Rule rule = named.get(name);
        if (rule != null) {
            return rule.reverse(args);
        }
        for (Rule r : rules()) {
            if (r.target() instanceof ReversibleRouter) {
                String url = ((ReversibleRouter) r.target()).reverseUrl(name, args);
                if (url != null) {
                    return url;
                }
            }
        }
        return null;
    }
}
