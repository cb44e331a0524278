package io.demandmetrics.adapter.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each write records its key and how many writes still waited when it started: a slot allows
 * {@code perSecond / 10} writes, started as they are asked for while it allows, the rest at the
 * next slots in the order asked. The writes are submitted in one task on the event loop that runs
 * the slots, so no slot can begin while they are being asked for.
 */
class PacedWritesTest {

    private final Vertx vertx = Vertx.vertx();
    private final Context loop = vertx.getOrCreateContext();
    private final PacedWrites paced = new PacedWrites(vertx, 50, 100);
    private final List<String> ran = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private void submitOnTheLoop(Runnable submits) {
        loop.runOnContext(task -> submits.run());
    }

    private Supplier<Future<?>> write(String key) {
        return write(paced, key);
    }

    /** A write that records its name and how many writes of {@code pacer} still waited when it started. */
    private Supplier<Future<?>> write(PacedWrites pacer, String key) {
        return () -> {
            ran.add(key + "@" + pacer.waiting());
            return Future.succeededFuture();
        };
    }

    @Test
    void fiftyASecondIsFiveASlotInTheOrderAsked() {
        submitOnTheLoop(() -> {
            for (int i = 0; i < 12; i++) {
                paced.submit("r" + i, write("r" + i));
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 12);
        // The first five at once (each started as it was asked for), five at the next slot, two after.
        assertThat(ran).containsExactly("r0@0", "r1@0", "r2@0", "r3@0", "r4@0", "r5@2", "r6@2", "r7@2", "r8@2",
                "r9@2", "r10@0", "r11@0");
        assertThat(paced.waiting()).isZero();
    }

    /** Ten a second is one a slot: after {@code first}, which takes the slot, the others wait. */
    private PacedWrites oneASlotAfter(String first) {
        PacedWrites pacer = new PacedWrites(vertx, 10, 100);
        pacer.submit(first, write(pacer, first));
        return pacer;
    }

    @Test
    void aLaterWriteForAKeyReplacesTheOneWaitingAndTakesItsTurnNow() {
        submitOnTheLoop(() -> {
            PacedWrites pacer = oneASlotAfter("first");
            pacer.submit("a", write(pacer, "a-first"));
            pacer.submit("b", write(pacer, "b"));
            pacer.submit("a", write(pacer, "a-second"));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 3);
        assertThat(ran).containsExactly("first@0", "b@1", "a-second@0");
    }

    @Test
    void cancelledWritesAndThoseOfResourcesGoneAreNotMade() {
        submitOnTheLoop(() -> {
            PacedWrites pacer = oneASlotAfter("first");
            pacer.submit("kept", write(pacer, "kept"));
            pacer.submit("cancelled", write(pacer, "cancelled"));
            pacer.submit("gone", write(pacer, "gone"));
            pacer.cancel("cancelled");
            pacer.retainOnly(Set.of("kept", "cancelled"));
            pacer.submit("last", write(pacer, "last"));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 3);
        assertThat(ran).containsExactly("first@0", "kept@1", "last@0");
    }

    @Test
    void belowTenASecondASlotIsLongerAndTakesOne() {
        PacedWrites slow = new PacedWrites(vertx, 1, 100);
        submitOnTheLoop(() -> {
            for (String key : List.of("x", "y", "z")) {
                slow.submit(key, () -> Future.succeededFuture(ran.add(key + "@" + slow.waiting())));
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 3);
        assertThat(ran).containsExactly("x@0", "y@1", "z@0");
    }

    @Test
    void noMoreThanTheBoundInFlightTheRestWaitAndAreStillReplaced() {
        PacedWrites bounded = new PacedWrites(vertx, 1000, 2);
        List<Promise<Void>> answers = new CopyOnWriteArrayList<>();
        @SuppressWarnings("unchecked")
        Supplier<Future<?>>[] writes = new Supplier[6];
        for (int i = 0; i < writes.length; i++) {
            String name = "w" + i;
            writes[i] = () -> {
                ran.add(name);
                Promise<Void> answer = Promise.promise();
                answers.add(answer);
                return answer.future();
            };
        }
        submitOnTheLoop(() -> {
            for (int i = 0; i < 5; i++) {
                bounded.submit("r" + i, writes[i]);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 2);
        // The API server has not answered: the rest wait (a slot takes a hundred at this pace).
        assertThat(ran).containsExactly("w0", "w1");
        assertThat(bounded.inFlight()).isEqualTo(2);
        assertThat(bounded.waiting()).isEqualTo(3);
        // A later status of a resource still waiting replaces it there, not behind a queue.
        submitOnTheLoop(() -> bounded.submit("r3", writes[5]));
        await().atMost(Duration.ofSeconds(10)).until(() -> bounded.waiting() == 3);
        loop.runOnContext(task -> answers.get(0).complete());
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 3);
        loop.runOnContext(task -> answers.get(1).fail("HTTP 500"));
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 4);
        answers.forEach(answer -> loop.runOnContext(task -> answer.tryComplete()));
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 5);
        assertThat(ran).containsExactly("w0", "w1", "w2", "w4", "w5");
        loop.runOnContext(task -> answers.forEach(Promise::tryComplete));
        await().atMost(Duration.ofSeconds(10)).until(() -> bounded.inFlight() == 0);
        assertThat(bounded.waiting()).isZero();
    }
}
