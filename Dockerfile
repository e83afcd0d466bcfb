# syntax=docker/dockerfile:1.7
# AiKore image, built from Debian packages and npm alone (tests/image builds and drives it):
# Debian bookworm, Deno from npm running the bundled source, nginx (managed by AiKore), the
# TigerVNC + websockify + noVNC desktop backend with openbox and Firefox ESR, git, python3 with
# venv, gcc, and s6-svscan from Debian as PID 1. A non-root user `aikore` (remapped to
# PUID/PGID at start) runs the supervisor, AiKore, nginx and every instance; everything
# persistent lives in the /config volume.
#
# No CUDA base image: the apps AiKore installs bring their own CUDA user-space libraries (PyTorch
# wheels ship them as nvidia-* packages), and the NVIDIA container toolkit mounts the driver,
# libcuda and NVML (libnvidia-ml.so.1, read by AiKore's GPU telemetry) into the container at run
# time. A CUDA base would add gigabytes that nothing here uses.
#
# Optional parts that only the internet has; each is off by default and has a tested fallback:
#   KASMVNC_DEB_URL  a KasmVNC server .deb for bookworm (fallback: the TigerVNC backend)
#   MINIFORGE_URL    a Miniforge installer, installed to /opt/conda (fallback: python venv
#                    blueprints; conda blueprints need it)
#   DENO_COMPILE=1   one executable with `deno compile` (downloads its runtime from dl.deno.land;
#                    fallback: Deno runs the bundled source). `aikore` starts either.
#
# Behind a TLS-intercepting proxy pass its CA bundle as the build secret `ca_bundle`; it is read
# only while a RUN step needs the network and never lands in a layer:
#   docker build --secret id=ca_bundle,src=/etc/ssl/certs/ca-certificates.crt .

# The Debian bookworm image to build on. tests/image passes one made locally with mmdebstrap.
ARG BASE_IMAGE=debian:bookworm-slim

# ---- system: Debian packages, Deno, the user --------------------------------------------------
FROM ${BASE_IMAGE} AS system
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates curl openssl tzdata procps psmisc less \
      s6 nginx-light git bash \
      python3 python3-venv python3-pip gcc libc6-dev \
      tigervnc-standalone-server tigervnc-tools websockify novnc openbox xdotool x11-utils \
      xterm dbus-x11 firefox-esr fonts-dejavu-core fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb

# Deno from its npm package (the platform binary package of `deno`), checked against npm's
# published integrity: `npm view @deno/linux-x64-glibc@<version> dist.integrity`.
ARG DENO_VERSION=2.9.6
ARG DENO_INTEGRITY_AMD64=sha512-3md4TKLCuzsLDmfOoC5KN7NAZaxSVkMgm64vg6foD00JBADCpYS2/5QqXfzgnP5ZQz3iLP9vBQJtEgc116OAoQ==
ARG DENO_INTEGRITY_ARM64=sha512-poqhoH9B3nYloigEMPT5t8HY+wBeiuea1An5Q7fqgJzP0SYmWsoS/oUnWO/pEiA4ofzIBy1Elt/in58xKtxEoQ==
RUN --mount=type=secret,id=ca_bundle \
    set -eu; \
    if [ -s /run/secrets/ca_bundle ]; then export CURL_CA_BUNDLE=/run/secrets/ca_bundle; fi; \
    case "$(dpkg --print-architecture)" in \
      amd64) pkg=linux-x64-glibc; want="$DENO_INTEGRITY_AMD64" ;; \
      arm64) pkg=linux-arm64-glibc; want="$DENO_INTEGRITY_ARM64" ;; \
      *) echo "no Deno package for $(dpkg --print-architecture)" >&2; exit 1 ;; \
    esac; \
    curl -fsSL -o /tmp/deno.tgz "https://registry.npmjs.org/@deno/$pkg/-/$pkg-$DENO_VERSION.tgz"; \
    got="sha512-$(openssl dgst -sha512 -binary /tmp/deno.tgz | base64 -w0)"; \
    if [ "$got" != "$want" ]; then echo "@deno/$pkg@$DENO_VERSION: integrity $got, expected $want" >&2; exit 1; fi; \
    tar -xzf /tmp/deno.tgz -C /tmp package/deno; \
    install -m 0755 /tmp/package/deno /usr/local/bin/deno; \
    rm -rf /tmp/deno.tgz /tmp/package; \
    deno --version

# Optional KasmVNC and Miniforge (see the top of this file).
ARG KASMVNC_DEB_URL=
ARG MINIFORGE_URL=
RUN --mount=type=secret,id=ca_bundle \
    set -eu; \
    if [ -s /run/secrets/ca_bundle ]; then export CURL_CA_BUNDLE=/run/secrets/ca_bundle; fi; \
    if [ -n "$KASMVNC_DEB_URL" ]; then \
      curl -fsSL -o /tmp/kasmvnc.deb "$KASMVNC_DEB_URL"; \
      apt-get update; \
      apt-get install -y --no-install-recommends /tmp/kasmvnc.deb; \
      rm -rf /tmp/kasmvnc.deb /var/lib/apt/lists/*; \
    fi; \
    if [ -n "$MINIFORGE_URL" ]; then \
      curl -fsSL -o /tmp/miniforge.sh "$MINIFORGE_URL"; \
      bash /tmp/miniforge.sh -b -p /opt/conda; \
      rm /tmp/miniforge.sh; \
      /opt/conda/bin/conda clean -afy; \
    fi

# The user everything runs as; aikore-init gives it PUID/PGID at start.
RUN groupadd --gid 1000 aikore \
 && useradd --uid 1000 --gid 1000 --home-dir /home/aikore --create-home --shell /bin/bash aikore \
 && usermod -aG video aikore \
 && mkdir -p /config && chown aikore:aikore /config

ENV DENO_DIR=/opt/aikore/deno-cache

# ---- app: the source, its npm packages and the island bundles ---------------------------------
FROM system AS app
WORKDIR /opt/aikore/app
# npm packages first: this layer stays cached until deno.json or deno.lock change.
COPY deno.json deno.lock ./
RUN --mount=type=secret,id=ca_bundle \
    if [ -s /run/secrets/ca_bundle ]; then export DENO_CERT=/run/secrets/ca_bundle; fi; \
    deno install --frozen --quiet
# The source: whatever .dockerignore lets through (docker/ is for the runtime stage only).
COPY . ./
# deno bundle fetches esbuild from npm on its first run, hence the CA secret here too. Running
# `aikore help` afterwards fills DENO_DIR with the transpiled modules, so the first start is quick.
RUN --mount=type=secret,id=ca_bundle \
    set -eu; \
    rm -rf docker; \
    if [ -s /run/secrets/ca_bundle ]; then export DENO_CERT=/run/secrets/ca_bundle; fi; \
    deno run --allow-all --frozen tools/build_islands.ts; \
    deno run --allow-all --frozen --cached-only main.ts help > /dev/null
# Native helpers written in C (native/, e.g. the per-instance holder) are compiled with the
# image's gcc into build/native/, where AiKore finds them when it runs this source.
RUN if [ -d native ] && [ -f tools/build_native.ts ]; then \
      deno run --allow-all --frozen --cached-only tools/build_native.ts; \
    fi
ARG DENO_COMPILE=
RUN --mount=type=secret,id=ca_bundle \
    set -eu; \
    mkdir -p /opt/aikore/bin; \
    if [ -n "$DENO_COMPILE" ] && [ "$DENO_COMPILE" != 0 ]; then \
      if [ -s /run/secrets/ca_bundle ]; then export DENO_CERT=/run/secrets/ca_bundle; fi; \
      deno compile --allow-all --frozen --include blueprints --include static --include build \
        --include lib/thumbnails/thumbnail_worker.ts \
        --output /opt/aikore/bin/aikore-compiled main.ts; \
      if [ -x build/native/aikore_holder ]; then \
        install -m 0755 build/native/aikore_holder /opt/aikore/bin/aikore_holder; \
      fi; \
    fi

# ---- runtime -----------------------------------------------------------------------------------
FROM system AS runtime
COPY --from=app /opt/aikore /opt/aikore
COPY docker/root/ /

ENV AIKORE_DATA_DIR=/config \
    AIKORE_LISTEN=0.0.0.0:9000 \
    AIKORE_INSTANCE_PORT_RANGE=19001-19020 \
    AIKORE_NGINX=managed \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/conda/bin \
    PUID=1000 \
    PGID=1000

VOLUME /config
EXPOSE 9000 19001-19020
# AiKore stops its instances on SIGTERM (each gets AIKORE_STOP_GRACE seconds); give the container
# a longer stop timeout than that (docker-compose.yml: stop_grace_period).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD ["/usr/local/bin/aikore-healthcheck"]
ENTRYPOINT ["/usr/local/sbin/aikore-init"]
