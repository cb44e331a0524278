package io.demandmetrics.adapter.failure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class CausesTest {

    /** A cause that names itself, as some libraries build them. */
    private static final class SelfCaused extends RuntimeException {
        SelfCaused() {
            super("loops");
        }

        @Override
        public synchronized Throwable getCause() {
            return this;
        }
    }

    @Test
    void theCausesBelowAreListedOutermostFirstEachOnceAndAtMostMax() {
        Throwable failure = new IllegalStateException("Operation: [get] failed.",
                new IOException("refused", new IOException("refused", new ConnectException("Connection refused"))));
        assertThat(Causes.below(failure, 3)).containsExactly("IOException: refused", "ConnectException: Connection refused");
        assertThat(Causes.below(failure, 1)).containsExactly("IOException: refused");
        assertThat(Causes.below(new IllegalStateException("alone"), 3)).isEmpty();
        assertThat(Causes.root(failure)).isInstanceOf(ConnectException.class);
        assertThat(Causes.root(new IllegalStateException("alone"))).hasMessage("alone");
    }

    @Test
    void aCauseThatIsItsOwnEndsTheChain() {
        Throwable failure = new IllegalStateException("outer", new SelfCaused());
        assertThat(Causes.below(failure, 3)).containsExactly("SelfCaused: loops");
        assertThat(Causes.root(failure)).isInstanceOf(SelfCaused.class);
    }
}
