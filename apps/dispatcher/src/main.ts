import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { LIMITS } from '@app/contracts';

@Module({})
class PlaceholderModule {}

async function main() {
  const app = await NestFactory.createApplicationContext(PlaceholderModule);
  console.log('dispatcher placeholder', LIMITS.maxEventBytes);
  await app.close();
}
main();
