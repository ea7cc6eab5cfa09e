package io.tornadoj.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Tornado's {@code @tornado.web.authenticated}: put it on an HTTP method of a {@link RequestHandler} to require
 * a logged-in user. When {@link RequestHandler#currentUser()} is null, a {@code GET} or {@code HEAD} is
 * redirected to {@link RequestHandler#getLoginUrl()} (with {@code ?next=} the request's URI — its full URL when
 * the login URL is absolute — unless the login URL already has a query), and any other method gets 403.
 *
 * <pre>{@code
 * public class ProfileHandler extends RequestHandler {
 *     @Authenticated
 *     public void get() {
 *         write("hello " + currentUser());
 *     }
 * }
 * }</pre>
 *
 * <p>The check runs after {@link RequestHandler#prepare()}, right before the method. It applies to the method
 * it annotates only: an override in a subclass must carry the annotation again (as a Python decorator).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Authenticated {
}
