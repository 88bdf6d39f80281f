# Bastion gateway image: build stage compiles (better-sqlite3 from source, nothing downloaded),
# runtime stage holds only dist/ and production dependencies, runs as a non-root user and
# writes nothing outside /var/lib/bastion, so the root filesystem can be mounted read-only.
FROM node:20-bookworm AS build
WORKDIR /app
ENV npm_config_build_from_source=true
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# The node image's unprivileged user (uid 1000); it owns only the data folder.
RUN mkdir -p /var/lib/bastion /etc/bastion && chown node:node /var/lib/bastion
USER node
ENV NODE_ENV=production \
    BASTION_SERVER__HOST=0.0.0.0 \
    BASTION_STORES__SQLITE__PATH=/var/lib/bastion/bastion.db
# Mount the config at /etc/bastion/bastion.yaml and pass --config (or BASTION_CONFIG), and
# secrets as files referenced with file:/run/secrets/<name>.
VOLUME ["/var/lib/bastion"]
EXPOSE 8080 8081
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8081/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli/index.js"]
CMD ["serve"]
