# syntax=docker/dockerfile:1.7
# AiKore image: one executable (deno compile) on a CUDA runtime base, with NGINX (managed by
# AiKore), KasmVNC + openbox + Firefox for desktop-mode instances, Miniforge for blueprints, and
# s6-overlay as PID 1 (reaps zombies, restarts AiKore). Runs as the non-root user `abc`
# (PUID/PGID remapped at start); everything persistent lives in the /config volume.

ARG DENO_VERSION=2.9.6
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-runtime-ubuntu24.04

# ---- build: island bundles + one executable with the assets embedded ----
FROM denoland/deno:debian-${DENO_VERSION} AS build
WORKDIR /src
COPY deno.json deno.lock ./
RUN deno install --frozen
COPY . .
RUN deno run --allow-all tools/build_islands.ts \
 && deno compile --allow-all --frozen \
      --include blueprints --include static --include build \
      --output /out/aikore main.ts

# ---- runtime ----
FROM ${CUDA_IMAGE} AS runtime
ARG S6_OVERLAY_VERSION=3.2.0.2
ARG KASMVNC_VERSION=1.3.3
ARG TARGETARCH=amd64
ENV DEBIAN_FRONTEND=noninteractive

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates curl xz-utils git bash procps psmisc tzdata \
      nginx openbox xterm dbus-x11 fonts-dejavu-core \
      software-properties-common gpg-agent \
 && add-apt-repository -y ppa:mozillateam/ppa \
 && printf 'Package: firefox*\nPin: release o=LP-PPA-mozillateam\nPin-Priority: 1001\n' \
      > /etc/apt/preferences.d/mozilla-firefox \
 && apt-get install -y --no-install-recommends firefox \
 && curl -fsSL -o /tmp/kasmvnc.deb \
      "https://github.com/kasmtech/KasmVNC/releases/download/v${KASMVNC_VERSION}/kasmvncserver_noble_${KASMVNC_VERSION}_${TARGETARCH}.deb" \
 && apt-get install -y --no-install-recommends /tmp/kasmvnc.deb \
 && rm -rf /tmp/kasmvnc.deb /var/lib/apt/lists/*

RUN curl -fsSL "https://github.com/just-containers/s6-overlay/releases/download/v${S6_OVERLAY_VERSION}/s6-overlay-noarch.tar.xz" \
      | tar -C / -Jxp \
 && curl -fsSL "https://github.com/just-containers/s6-overlay/releases/download/v${S6_OVERLAY_VERSION}/s6-overlay-x86_64.tar.xz" \
      | tar -C / -Jxp

RUN curl -fsSL -o /tmp/miniforge.sh \
      "https://github.com/conda-forge/miniforge/releases/latest/download/Miniforge3-Linux-x86_64.sh" \
 && bash /tmp/miniforge.sh -b -p /opt/conda \
 && rm /tmp/miniforge.sh \
 && /opt/conda/bin/conda clean -afy

RUN groupadd --gid 1000 abc \
 && useradd --uid 1000 --gid 1000 --home-dir /home/abc --create-home --shell /bin/bash abc \
 && usermod -aG video abc \
 && mkdir -p /config && chown abc:abc /config

COPY --from=build /out/aikore /usr/local/bin/aikore
COPY blueprints/functions.sh /opt/sd-install/functions.sh
COPY docker/root/ /

ENV AIKORE_DATA_DIR=/config \
    AIKORE_LISTEN=0.0.0.0:9000 \
    AIKORE_INSTANCE_PORT_RANGE=19001-19020 \
    AIKORE_NGINX=managed \
    PATH=/opt/conda/bin:$PATH \
    CONDA_EXE=/opt/conda/bin/conda \
    HOME=/home/abc \
    PUID=1000 \
    PGID=1000 \
    S6_BEHAVIOUR_IF_STAGE2_FAILS=2 \
    S6_KILL_GRACETIME=15000

VOLUME /config
EXPOSE 9000 19001-19020
HEALTHCHECK --interval=30s --timeout=5s CMD curl -fsS http://127.0.0.1:9000/healthz || exit 1
ENTRYPOINT ["/init"]

# ---- dev: the runtime plus Deno, running the mounted source (docker-compose.dev.yml) ----
FROM runtime AS dev
COPY --from=build /usr/bin/deno /usr/local/bin/deno
ENV AIKORE_DEV_SOURCE=/src

# ---- default target ----
FROM runtime
