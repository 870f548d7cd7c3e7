# faultline image (see docker-compose.yml). Talks to Kafka through KAFKA_BROKERS, so it needs no Java.
# One image for every role: `worker`, `heal`, `start` (API), chosen by the container's command.
# Untested here (no Docker engine on the machine it was written on).
FROM node:20-slim

WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build && chown -R node:node /app

# Listen on all interfaces inside the container; the broker comes from compose.
ENV FAULTLINE_API_HOST=0.0.0.0 \
    KAFKA_BROKERS=kafka:9092
EXPOSE 8080
USER node

CMD ["node", "dist/src/cli/main.js", "start"]
