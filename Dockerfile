# Multi-stage build of the adapter image: docker build -t demand-metrics-adapter:0.1.0 .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY scalers scalers
COPY adapter adapter
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
# A numeric non-root user, as the Deployment's runAsUser expects; no shell login, no home.
RUN groupadd --gid 65532 adapter && useradd --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin adapter
COPY --from=build /src/adapter/target/demand-adapter.jar /app/demand-adapter.jar
USER 65532:65532
EXPOSE 6443
ENTRYPOINT ["java", "-jar", "/app/demand-adapter.jar"]
