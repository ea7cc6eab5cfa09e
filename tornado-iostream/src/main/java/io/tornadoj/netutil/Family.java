package io.tornadoj.netutil;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** An address family filter, as Tornado's {@code socket.AF_UNSPEC}/{@code AF_INET}/{@code AF_INET6}. */
public enum Family {
    /** Any family. */
    ANY,
    /** IPv4 only. */
    IPV4,
    /** IPv6 only. */
    IPV6;

    /**
     * Whether an address belongs to this family.
     *
     * @param address the address
     * @return true when it matches
     */
    public boolean matches(InetAddress address) {
        switch (this) {
            case IPV4:
                return address instanceof Inet4Address;
            case IPV6:
                return address instanceof Inet6Address;
            default:
                return true;
        }
    }
}
