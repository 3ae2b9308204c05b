import { IsEmail, IsNotEmpty, MaxLength, MinLength } from 'class-validator';
import { Field, InputType, ObjectType } from 'type-graphql';
import { User } from '../entities/user.entity';

@InputType()
export class SignInInput {
  @Field()
  @IsEmail({}, { message: 'must be a valid e-mail address' })
  @MaxLength(320)
  email!: string;

  @Field()
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(1000)
  password!: string;
}

@InputType()
export class ChangePasswordInput {
  @Field()
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(1000)
  currentPassword!: string;

  @Field()
  @MinLength(10, { message: 'must be at least 10 characters' })
  @MaxLength(1000)
  newPassword!: string;
}

@ObjectType({ description: 'A signed-in session. Send the token as `Authorization: Bearer <token>`.' })
export class AuthSession {
  @Field()
  token!: string;

  @Field()
  expiresAt!: Date;

  @Field(() => User)
  user!: User;
}
