# The CXone simulator on an empty base, with the router binary for its health
# check, because a scratch image has no curl. `make images` builds it with
# bin/ as the build context.
FROM scratch

COPY cxone-sim /cxone-sim
COPY router /router

USER 65532:65532
EXPOSE 8090
HEALTHCHECK --interval=5s --timeout=4s --start-period=5s --retries=3 \
  CMD ["/router", "healthcheck", "http://127.0.0.1:8090/sim/stats"]
ENTRYPOINT ["/cxone-sim"]
CMD ["-addr", ":8090"]
