package io.tornadoj.examples.httpclient;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(60)
class CrawlerTest {
    @Test
    void crawlsEveryPageOfTheLocalSite() throws Exception {
        assertEquals(40, Crawler.run(40, 4));
        assertEquals(7, Crawler.run(7, 1));
    }
}
