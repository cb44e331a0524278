# The adapter image: Maven builds the jar, a JRE 17 image runs it as uid 65532.
#
#   bin/build-image                     (docker or podman; tags demand-metrics-adapter:<POM version>)
#   docker build -t demand-metrics-adapter:0.1.0-SNAPSHOT .
#
# The base images are build arguments whose defaults are the usual public ones; the tests build
# this same file with bases made from Debian packages (bin/build-image --local-bases).
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG JRE_IMAGE=eclipse-temurin:17-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# Every module the adapter is built from; the reactor is cut to them with -pl adapter -am.
# The simulator is a tool beside the server: only its POM, which the reactor reads.
COPY pom.xml .
COPY scalers scalers
COPY test-fixtures test-fixtures
COPY hpa hpa
COPY simulator/pom.xml simulator/pom.xml
COPY adapter adapter
# The cache mount keeps Maven's downloads between builds on one machine (BuildKit, podman).
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests -pl adapter -am package

FROM ${JRE_IMAGE}
ARG VERSION=unknown
ARG REVISION=unknown
ARG SOURCE_URL=unknown
LABEL org.opencontainers.image.title="Demand Metrics Adapter" \
      org.opencontainers.image.description="Kubernetes custom and external metrics API server for demand signals" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="Apache-2.0"
# uid/gid 65532 (distroless' "nonroot"): numeric in USER so that runAsNonRoot can verify it,
# named in passwd/group so that the JVM and tools can name it. /plugins holds team scaler jars.
RUN echo 'adapter:x:65532:65532:Demand Metrics Adapter:/nonexistent:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'adapter:x:65532:' >> /etc/group \
 && mkdir -p /app /plugins
# jemalloc as the C allocator (Debian's and Ubuntu's libjemalloc2; bin/build-image's local base
# has it already). glibc's malloc keeps what the JIT compiler and TLS free in per-thread arenas:
# 52-89 MiB of an adapter's RSS at 10,000 metrics was memory the JVM does not count, against
# 44-51 MiB with jemalloc, whose background threads return freed pages to the kernel after its
# decay time (bench/RESULTS.md, #22's seventh look). The link gives LD_PRELOAD one path on
# every architecture.
RUN lib=$(find /usr/lib -name libjemalloc.so.2 | head -n 1) \
 && if [ -z "$lib" ]; then \
      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libjemalloc2 \
      && rm -rf /var/lib/apt/lists/* && lib=$(find /usr/lib -name libjemalloc.so.2 | head -n 1); \
    fi \
 && ln -s "$lib" /usr/local/lib/libjemalloc.so.2
ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 \
    MALLOC_CONF=background_thread:true
COPY LICENSE /app/LICENSE
COPY adapter/jvm.options /app/jvm.options
COPY --from=build /src/adapter/target/demand-adapter.jar /app/demand-adapter.jar
# CycloneDX SBOM of everything inside the jar (README, "The image").
COPY --from=build /src/adapter/target/demand-adapter.cdx.json /app/demand-adapter.cdx.json
USER 65532:65532
# 6443: the metrics APIs (HTTPS); 6444: readings from the other replicas (--peer-port).
EXPOSE 6443 6444
# The image decides the JVM's flags; the Deployment decides the memory limit. The collector and
# its heap bounds are adapter/jvm.options (bin/run-standalone and the benchmarks read the same
# file). The heap is 40 % of the container's limit (160 MiB at the manifest's 400 MiB;
# bench/RESULTS.md: ~150 MiB RSS with a few metrics, ~260 MiB at 10,000); the rest is
# metaspace, threads, Netty's direct buffers. An OutOfMemoryError exits, so that Kubernetes
# restarts the pod rather than it limping. No perf data file: the root filesystem is read-only
# and /tmp is small.
ENTRYPOINT ["java", "@/app/jvm.options", "-XX:MaxRAMPercentage=40", "-XX:+ExitOnOutOfMemoryError", \
            "-XX:-UsePerfData", "-jar", "/app/demand-adapter.jar", "--plugin-dir=/plugins"]
