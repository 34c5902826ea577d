# The router binary (ingest, worker, replay, healthcheck) on an empty base.
# `make images` builds it: the build context is bin/, holding the static
# binaries built on the host with CGO_ENABLED=0 and the host's CA bundle,
# so the build pulls no image.
FROM scratch

COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY router /router

# The router writes no files, so it runs as an unprivileged user.
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/router"]
CMD ["help"]
