package io.demandmetrics.scaler.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

class SharedResourcesTest {

    private final List<String> closed = new ArrayList<>();
    private final SharedResources<String, String> clients = new SharedResources<>(closed::add);
    private int opened;

    private String open(String name) {
        opened++;
        return name + "#" + opened;
    }

    @Test
    void oneResourcePerKeyClosedWithItsLastLease() {
        var a1 = clients.acquire("a", users -> open("a"));
        var a2 = clients.acquire("a", users -> open("a"));
        var b = clients.acquire("b", users -> open("b"));
        assertThat(a1.resource()).isSameAs(a2.resource()).isEqualTo("a#1");
        assertThat(b.resource()).isEqualTo("b#2");
        a1.release();
        a1.release(); // a second release of one lease does not count
        assertThat(closed).isEmpty();
        a2.release();
        assertThat(closed).containsExactly("a#1");
        assertThat(clients.acquire("b", users -> open("b")).resource()).isEqualTo("b#2"); // still open
        assertThat(clients.acquire("a", users -> open("a")).resource()).isEqualTo("a#3"); // opened afresh
    }

    @Test
    void theOpenerSeesTheLeaseCount() {
        IntSupplier[] users = new IntSupplier[1];
        var first = clients.acquire("a", u -> {
            users[0] = u;
            return "a";
        });
        assertThat(users[0].getAsInt()).isEqualTo(1);
        clients.acquire("a", u -> "unused");
        assertThat(users[0].getAsInt()).isEqualTo(2);
        first.release();
        assertThat(users[0].getAsInt()).isEqualTo(1);
    }

    @Test
    void anOpenerThatThrowsLeavesNothing() {
        assertThatThrownBy(() -> clients.acquire("a", users -> {
            throw new IllegalStateException("bad settings");
        })).hasMessage("bad settings");
        assertThat(clients.acquire("a", users -> open("a")).resource()).as("opened afresh, nothing kept").isEqualTo("a#1");
    }
}
