# nats-server at the version go.mod pins, on an empty base. `make images`
# builds bin/nats-server from the module cache and uses bin/ as the build
# context, so the build pulls no image. The entrypoint and ports match the
# official nats image, so the same Compose command works with either.
FROM scratch

COPY nats-server /nats-server
COPY nats.conf /etc/nats/router.conf
# The router binary serves as the health check client.
COPY router /router
# A fresh named volume mounted at /data takes this directory's owner.
COPY --chown=65532:65532 nats-data/ /data/

USER 65532:65532
EXPOSE 4222 6222 8222
# Needs the monitoring port: start the server with -m 8222.
HEALTHCHECK --interval=5s --timeout=4s --start-period=10s --retries=3 \
  CMD ["/router", "healthcheck", "http://127.0.0.1:8222/healthz?js-enabled-only=true"]
ENTRYPOINT ["/nats-server"]
CMD ["-c", "/etc/nats/router.conf", "-js", "-sd", "/data", "-m", "8222"]
