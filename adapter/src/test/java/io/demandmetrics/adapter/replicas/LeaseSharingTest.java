package io.demandmetrics.adapter.replicas;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a replica writes on its Lease for its peers to reach it. */
class LeaseSharingTest {

    @Test
    void theAddressGetsThePeerPortUnlessItNamesOneOfItsOwn() {
        assertThat(LeaseSharing.advertisedAddress("10.0.0.7", 6444)).isEqualTo("10.0.0.7:6444");
        assertThat(LeaseSharing.advertisedAddress("fd00::7", 6444)).isEqualTo("[fd00::7]:6444");
        assertThat(LeaseSharing.advertisedAddress("10.0.0.7:7444", 6444)).isEqualTo("10.0.0.7:7444");
        assertThat(LeaseSharing.advertisedAddress("[fd00::7]:7444", 6444)).isEqualTo("[fd00::7]:7444");
        assertThat(LeaseSharing.advertisedAddress("adapter-0.peers.demand-metrics.svc", 6444))
                .isEqualTo("adapter-0.peers.demand-metrics.svc:6444");
    }
}
