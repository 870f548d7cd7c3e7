# faultline image (see docker-compose.yml). Talks to Kafka through KAFKA_BROKERS, so it needs no Java.
FROM node:20-slim

WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build

# Listen on all interfaces inside the container; the broker comes from compose.
ENV FAULTLINE_API_HOST=0.0.0.0 \
    KAFKA_BROKERS=kafka:9092
EXPOSE 8080

CMD ["node", "dist/src/cli/main.js", "start"]
