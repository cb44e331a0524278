package io.demandmetrics.adapter.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each write records its key and how many still waited when its slot began: a slot takes
 * {@code perSecond / 10} writes, in the order asked. The writes are submitted in one task on the
 * event loop that runs the slots, so no slot can begin while they are being asked for.
 */
class PacedWritesTest {

    private final Vertx vertx = Vertx.vertx();
    private final Context loop = vertx.getOrCreateContext();
    private final PacedWrites paced = new PacedWrites(vertx, 50);
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private void submitOnTheLoop(Runnable submits) {
        loop.runOnContext(task -> submits.run());
    }

    private Runnable write(String key) {
        return () -> ran.add(key + "@" + paced.waiting());
    }

    @Test
    void fiftyASecondIsFiveASlotInTheOrderAsked() {
        submitOnTheLoop(() -> {
            for (int i = 0; i < 12; i++) {
                paced.submit("r" + i, write("r" + i));
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 12);
        assertThat(ran).containsExactly("r0@7", "r1@7", "r2@7", "r3@7", "r4@7", "r5@2", "r6@2", "r7@2", "r8@2",
                "r9@2", "r10@0", "r11@0");
        assertThat(paced.waiting()).isZero();
    }

    @Test
    void aLaterWriteForAKeyReplacesTheOneWaitingAndTakesItsTurnNow() {
        submitOnTheLoop(() -> {
            paced.submit("a", write("a-first"));
            paced.submit("b", write("b"));
            paced.submit("a", write("a-second"));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 2);
        assertThat(ran).containsExactly("b@0", "a-second@0");
    }

    @Test
    void cancelledWritesAndThoseOfResourcesGoneAreNotMade() {
        submitOnTheLoop(() -> {
            paced.submit("kept", write("kept"));
            paced.submit("cancelled", write("cancelled"));
            paced.submit("gone", write("gone"));
            paced.cancel("cancelled");
            paced.retainOnly(Set.of("kept", "cancelled"));
            paced.submit("last", write("last"));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 2);
        assertThat(ran).containsExactly("kept@0", "last@0");
    }

    @Test
    void belowTenASecondASlotIsLongerAndTakesOne() {
        PacedWrites slow = new PacedWrites(vertx, 1);
        submitOnTheLoop(() -> {
            slow.submit("x", () -> ran.add("x@" + slow.waiting()));
            slow.submit("y", () -> ran.add("y@" + slow.waiting()));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 2);
        assertThat(ran).containsExactly("x@1", "y@0");
    }
}
